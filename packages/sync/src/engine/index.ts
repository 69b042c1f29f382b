export { ApiCallCounter } from "./api-call-counter.js";
export { type ApplyDeletionParams, applyDeletion } from "./apply-deletion.js";
export {
  applyDocument,
  type DocumentContext,
  type DocumentOutcome,
  describeError,
  type RemotePage,
} from "./apply-document.js";
export {
  type EnsureContentImportSourceParams,
  type EnsuredContentImportSource,
  ensureContentImportSource,
  normaliseUrl,
} from "./content-import-source.js";
export { DocumentPipeline } from "./document-pipeline.js";
export {
  ContentImportSourceError,
  DeletionLimitError,
  isContentImportSourceError,
  isDeletionLimitError,
  isSyncAbortedError,
  SyncAbortedError,
} from "./errors.js";
export type {
  AiContentApi,
  ContentImportSourceView,
  ExternalPagePayload,
  ExternalPageView,
  SyncClient,
} from "./intercom-api.js";
export { buildPayload, type PayloadInput, payloadHash, remotePageHash } from "./payload.js";
export {
  type DocumentFailure,
  type PageChange,
  type RunProgress,
  type RunSummary,
  RunTally,
  runHasProblems,
} from "./run-summary.js";
export {
  type RunSyncParams,
  runSync,
  type SyncDocumentsParams,
  type SyncRunParams,
  syncDocuments,
} from "./run-sync.js";
export {
  type DeleteCandidatesParams,
  type DeletionCandidate,
  type DeletionResult,
  deleteCandidates,
  resolveDeletionLimit,
  type SweepDeletionsParams,
  sweepDeletions,
} from "./sweep-deletions.js";
