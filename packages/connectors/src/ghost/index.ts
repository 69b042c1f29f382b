export { ghostConnector } from "./ghost-connector.js";
export { type GhostOptions, ghostOptionsSchema } from "./ghost-options.js";
