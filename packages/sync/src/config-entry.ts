// `@content-sync/sync/config`: the config schema and loader with the built-in connector registry,
// and nothing of the engine, the state stores or the Intercom client: what `content-sync config
// check` needs, so validating a file imports the connectors it names and little else.
export * from "./config/index.js";
export { builtInRegistry } from "./connectors.js";
