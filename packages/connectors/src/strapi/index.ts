export { renderStrapiBlocks } from "./strapi-blocks.js";
export { StrapiConnector, strapiConnector } from "./strapi-connector.js";
export {
  type StrapiContentType,
  type StrapiOptions,
  strapiContentTypeSchema,
  strapiOptionsSchema,
} from "./strapi-options.js";
export { strapiWebhook } from "./strapi-webhook.js";
