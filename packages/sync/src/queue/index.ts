export { ConfigReloader, type ConfigReloaderOptions } from "./config-reloader.js";
export { ConnectorCache } from "./connector-cache.js";
export { EngineAdapter, type EngineAdapterOptions } from "./engine-adapter.js";
export type { EngineCallContext, SourceSyncEngine } from "./engine-port.js";
export {
  createSyncQueue,
  DEFAULT_COALESCE_WINDOW_MS,
  type EnqueueTargetedOptions,
  enqueueSourceRun,
  enqueueTargeted,
} from "./enqueue.js";
export {
  type DocumentsData,
  isJobName,
  JOB,
  JOB_CATALOG,
  type JobDataOf,
  type JobName,
  type JobPolicy,
  jobOptionsFor,
  parseJobData,
  SYNC_QUEUE_NAME,
  type SourceRunData,
  type SourceRunInput,
  type TargetedData,
} from "./job-catalog.js";
export { classifyJobError, UnknownSourceError } from "./job-errors.js";
export { type FanOutOptions, type HandlerContext, handleJob, type JobResult } from "./job-handlers.js";
export { KeyspaceEpoch } from "./keyspace-epoch.js";
export { RedisLease } from "./lease.js";
export {
  type PushStatus,
  PushSubscriptionManager,
  type PushSubscriptionManagerOptions,
} from "./push-subscriptions.js";
export {
  type AuditEntry,
  COUNT_KINDS,
  type CountKind,
  type DocumentError,
  emptyCounts,
  bucketOf,
  INTERCOM_LATENCY_BUCKETS,
  RUN_DURATION_BUCKETS,
  type FleetCounters,
  type HistoryFields,
  type RunCounts,
  RunLedger,
  type RunRecord,
  type RunStatus as HistoryStatus,
} from "./run-ledger.js";
export {
  type PlannedSchedule,
  planSchedules,
  repeatOptionsFor,
  type ScheduleSyncResult,
  schedulerId,
  syncSchedules,
} from "./scheduler-runtime.js";
export {
  isServiceSetupError,
  ServiceContext,
  type ServiceContextOptions,
  ServiceSetupError,
} from "./service-context.js";
export {
  type SchedulerService,
  type SchedulerServiceOptions,
  startSchedulerService,
  startWorkerService,
  type WorkerServiceOptions,
} from "./services.js";
export {
  type CollectStatusOptions,
  collectStatus,
  type FailedJob,
  formatStatus,
  type QueueCounts,
  type ScheduleStatus,
  type SourceStatus,
  type OrphanedSource,
  type StatusReport,
  statusSources,
} from "./status-report.js";
export {
  type IncomingWebhook,
  receiveWebhook,
  type WebhookAnswer,
  type WebhookIntakeOptions,
} from "./webhook-intake.js";
export { startSyncWorker, type SyncWorkerHandle, type SyncWorkerOptions } from "./worker-runtime.js";
