export { DOCX_MEDIA_TYPE } from "./docx-to-html.js";
export { PDF_MEDIA_TYPE } from "./pdf-to-html.js";
export { type TransformInput, type TransformResult, toCleanHtml } from "./to-clean-html.js";
export {
  isTransformError,
  TransformError,
  type TransformErrorDetails,
  type TransformErrorKind,
} from "./transform-error.js";
export {
  DEFAULT_MAX_BYTES,
  type TransformOptions,
  transformOptionsSchema,
} from "./transform-options.js";
