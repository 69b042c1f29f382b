export { graphConnector } from "./graph-connector.js";
export { type GraphOptions, graphOptionsSchema } from "./graph-options.js";
export { graphWebhook } from "./graph-webhook.js";
