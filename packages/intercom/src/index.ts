export * from "./core/index.js";
export { IntercomClient } from "./client.js";
export * from "./resources/index.js";
export type * from "./generated/types.js";
export * as schemas from "./generated/schemas.js";
