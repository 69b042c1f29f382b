// Test helpers for connector suites and the e2e tests under test/: `@content-sync/connectors/testing`.
export { DiscoverySchemas } from "./discovery-schemas.js";
export { OpenApiSchemas } from "./openapi-schemas.js";
export {
  cursorPageOf,
  type FixtureHandler,
  type FixtureReply,
  type FixtureRequest,
  FixtureServer,
  pageOf,
} from "./fixture-server.js";
export type { PrismServer } from "@content-sync/intercom/testing";
export { type ContractViolation, contractViolations, startPrismProxy } from "./prism-proxy.js";
export { sharedContract } from "./shared-contracts.js";
