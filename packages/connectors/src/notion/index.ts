export { NOTION_VERSION } from "./notion-api.js";
export { notionConnector } from "./notion-connector.js";
export { type NotionOptions, notionOptionsSchema } from "./notion-options.js";
export { notionWebhook } from "./notion-webhook.js";
