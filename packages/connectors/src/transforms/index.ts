export {
  ConversionPool,
  type ConversionPoolOptions,
  configureConversionPool,
} from "./conversion/conversion-pool.js";
export type { ConverterModule } from "./conversion/conversion-messages.js";
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
