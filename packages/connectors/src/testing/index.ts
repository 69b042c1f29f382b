// Test helpers for connector suites and the e2e tests under test/: `@content-sync/connectors/testing`.
export { DiscoverySchemas } from "./discovery-schemas.js";
export {
  cursorPageOf,
  type FixtureHandler,
  type FixtureReply,
  type FixtureRequest,
  FixtureServer,
  pageOf,
} from "./fixture-server.js";
export {
  type ContractViolation,
  contractViolations,
  type PrismProxy,
  startPrismProxy,
} from "./prism-proxy.js";
export { sharedContract } from "./shared-contracts.js";
