export { confluenceConnector } from "./confluence-connector.js";
export { type ConfluenceOptions, confluenceOptionsSchema } from "./confluence-options.js";
