export { FilesystemConnector, filesystemConnector } from "./filesystem-connector.js";
export {
  FilesystemFileError,
  type FilesystemFileErrorReason,
  isFilesystemFileError,
} from "./filesystem-file-error.js";
export {
  DEFAULT_EXCLUDE,
  DEFAULT_INCLUDE,
  DEFAULT_MAX_FILE_BYTES,
  type FilesystemOptions,
  filesystemOptionsSchema,
} from "./filesystem-options.js";
