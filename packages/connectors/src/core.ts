// `@content-sync/connectors/core`: what the config loader and the engine need without importing a
// single connector or content transform: the contract's types, the errors, the registry with the
// built-in types (each imported on first load), and the option schemas the config file embeds. The
// package root re-exports all of it along with every connector.
export type * from "./contract.js";
export { builtInConnectors } from "./built-in-connectors.js";
export * from "./errors.js";
export * from "./registry.js";
export { type RequestRate, requestRateSchema } from "./toolkit/budget/request-rate.js";
export { configureConversionPool } from "./transforms/conversion/conversion-pool.js";
export { type TransformOptions, transformOptionsSchema } from "./transforms/transform-options.js";
