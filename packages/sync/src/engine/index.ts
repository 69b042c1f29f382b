export { ApiCallCounter } from "./api-call-counter.js";
export { type ApplyDeletionParams, applyDeletion } from "./apply-deletion.js";
export {
  applyDocument,
  type DocumentContext,
  type DocumentOutcome,
  describeError,
} from "./apply-document.js";
export { type ContentGuardResult, guardContent } from "./content-guard.js";
export {
  type EnsureContentImportSourceParams,
  type EnsuredContentImportSource,
  ensureContentImportSource,
  normaliseUrl,
} from "./content-import-source.js";
export { type DeletionOutcome, resolveDeletionLimit, settleDeletions } from "./deletions.js";
export { DocumentPipeline } from "./document-pipeline.js";
export {
  ContentImportSourceError,
  DeletionLimitError,
  DeletionsHeldError,
  isContentImportSourceError,
  isDeletionLimitError,
  isRunSupersededError,
  RunSupersededError,
} from "./errors.js";
export { isSyncAbortedError, SyncAbortedError } from "./sync-aborted-error.js";
export { FailureLedgerWriter } from "./failure-ledger.js";
export type {
  AiContentApi,
  ContentImportSourceView,
  ExternalPagePayload,
  ExternalPageView,
  SyncClient,
} from "./intercom-api.js";
export { buildPayload, type PayloadInput, payloadHash, remotePageHash } from "./payload.js";
export { type ReconcileOutcome, reconcileWithIntercom } from "./reconcile.js";
export {
  planRemoval,
  type RemovalOutcome,
  type RemovalPlan,
  type RemoveSourceParams,
  removeSource,
} from "./remove-source.js";
export { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from "./retry-schedule.js";
export {
  type DocumentFailure,
  type PageChange,
  type RunProgress,
  type RunStatus,
  type RunSummary,
  RunTally,
  runHasProblems,
} from "./run-summary.js";
export {
  backfillSince,
  type RunSyncParams,
  runSync,
  type SyncDocumentsParams,
  type SyncRunParams,
  syncDocuments,
} from "./run-sync.js";
export { describeSecrets, findSecrets, type SecretFinding } from "./secret-scan.js";
export { type BeginRunRequest, type ListedIds, type RunDependencies, SourceRun } from "./source-run.js";
