// The engine without the services: config, connectors, plan/apply, the file and memory state stores
// and the Intercom target. Inline commands (`sync`, `plan`, `config check`) import this entry point,
// `@content-sync/sync/inline`, so they never load BullMQ and ioredis (a third of their start-up).
export * from "./config/index.js";
export { builtInRegistry } from "./connectors.js";
export { type BudgetFactory, connectorInitFor, inProcessBudgets } from "./connector-init.js";
export * from "./engine/index.js";
export { DocumentRules, type RuleDecision } from "./rules/document-rules.js";
export { DryRunStateStore } from "./state/dry-run-state-store.js";
export { isStateFileError, StateFileError } from "./state/legacy-state-file.js";
export { LmdbStateStore, type LmdbStateStoreOptions } from "./state/lmdb-state-store.js";
export { MemoryStateStore } from "./state/memory-state-store.js";
export {
  type BeginRunOptions,
  type FailureKind,
  type FailureRecord,
  type FailureReport,
  orphanPageKey,
  type PageRecord,
  type RunCheckpoint,
  type RunFence,
  type SourcePatch,
  type SourceRecord,
  type StateStore,
  type StoredPage,
} from "./state/state-store.js";
export {
  type IntercomTarget,
  MissingTokenError,
  type OpenIntercomTargetOptions,
  openIntercomTarget,
  stateFilesFor,
} from "./target/intercom-target.js";
