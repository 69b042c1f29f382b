export { contentfulConnector } from "./contentful-connector.js";
export { type ContentfulOptions, contentfulOptionsSchema } from "./contentful-options.js";
