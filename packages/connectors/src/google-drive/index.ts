export { DRIVE_READONLY_SCOPE, googleDriveConnector } from "./drive-connector.js";
export { type GoogleDriveOptions, googleDriveOptionsSchema } from "./drive-options.js";
export { googleDriveWebhook } from "./drive-webhook.js";
