export { ConfigError, type ConfigIssue, formatPath, isConfigError } from "./config-error.js";
export { applyConversionLimits } from "./conversion-limits.js";
export { parseDuration } from "./duration.js";
export { configJsonSchema, renderConfigJsonSchema } from "./json-schema.js";
export { type LoadConfigOptions, loadConfig, parseConfig } from "./load-config.js";
export { buildConfigSchema, type ConfigSchema, type RawConfig } from "./schema.js";
export * from "./types.js";
