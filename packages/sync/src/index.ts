export * from "./config/index.js";
export { builtInRegistry } from "./connectors.js";
export { type BudgetFactory, connectorInitFor, inProcessBudgets } from "./connector-init.js";
export * from "./engine/index.js";
export { DocumentRules, type RuleDecision } from "./rules/document-rules.js";
export {
  FileStateStore,
  type FileStateStoreOptions,
  isStateFileError,
  StateFileError,
} from "./state/file-state-store.js";
export { MemoryStateStore } from "./state/memory-state-store.js";
export type { PageRecord, RunCheckpoint, SourceRecord, StateStore } from "./state/state-store.js";
export {
  type IntercomTarget,
  type OpenIntercomTargetOptions,
  openIntercomTarget,
  stateFileFor,
} from "./target/intercom-target.js";
export * from "./queue/index.js";
export * from "./redis/index.js";
