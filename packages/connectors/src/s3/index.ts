export { s3Connector, s3ExternalId, s3Version } from "./s3-connector.js";
export { type S3Options, s3OptionsSchema } from "./s3-options.js";
