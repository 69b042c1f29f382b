export { mediawikiConnector } from "./mediawiki-connector.js";
export { type MediawikiOptions, mediawikiOptionsSchema } from "./mediawiki-options.js";
