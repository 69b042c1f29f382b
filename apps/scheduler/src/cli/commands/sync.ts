import { parseArgs } from "node:util";
import type { ConnectorRegistry } from "@content-sync/connectors/core";
import type {
  ContentSyncConfig,
  IntercomTarget,
  PageChange,
  RunSummary,
  SourceConfig,
} from "@content-sync/sync/inline";
import {
  applyConversionLimits,
  builtInRegistry,
  connectorInitFor,
  isConfigError,
  isRunSupersededError,
  isSyncAbortedError,
  LmdbStateStore,
  loadConfig,
  openIntercomTarget,
  runHasProblems,
  runSync,
  stateFilesFor,
} from "@content-sync/sync/inline";
import type { Logger } from "pino";
import { createCliLogger } from "../cli-logger.js";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT, UsageError } from "../command.js";
import { displayPath, resolveConfigPath } from "../config-path.js";
import { parsePositiveInt, withUsageErrors } from "../parse-flags.js";
import { ProgressBar } from "../output/progress-bar.js";
import { renderProblems, renderSummaryTable } from "../output/summary-table.js";

const FLAGS = {
  all: { type: "boolean" },
  "dry-run": { type: "boolean" },
  full: { type: "boolean" },
  reconcile: { type: "boolean" },
  "force-deletes": { type: "boolean" },
  config: { type: "string", short: "c" },
  json: { type: "boolean" },
  concurrency: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync sync <source-id | --all> [options]

Brings the External Pages of one source (or every enabled source) in line with the source, inline:
no Redis needed. Without the Intercom token the embedded sandbox is the target.

Options:
  --all              every enabled source of the config
  --dry-run          plan only: show what would change, write nothing
  --full             list everything, deleting the pages of documents gone from the listing, instead
                     of the changes since the last run (those still delete what the source reports
                     deleted, e.g. trashed WordPress posts; filesystem sources always list everything)
  --reconcile        compare with the pages in Intercom and repair drift (implies --full)
  --force-deletes    delete even above the source's deletion.maxDeletes
  -c, --config FILE  config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml)
  --json             JSON lines on stdout instead of a table
  --concurrency N    documents in flight at once (default: the source's concurrency)
  --log-level LEVEL  fatal|error|warn|info|debug|trace|silent (default: warn, info with --json; or $LOG_LEVEL)
  -h, --help         this help

Exit code: 0 when everything synced, 1 when a document, listing or deletion guard failed, 2 on usage or
config errors, 130 when interrupted.`;

export interface SyncRunRequest {
  sourceId: string | undefined;
  all: boolean;
  dryRun: boolean;
  full: boolean;
  reconcile: boolean;
  forceDeletes: boolean;
  configFlag: string | undefined;
  json: boolean;
  concurrency: number | undefined;
}

export function parseSyncArgs(argv: readonly string[], forceDryRun: boolean): SyncRunRequest | "help" {
  const { values, positionals } = withUsageErrors(() =>
    parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: true }),
  );
  if (values.help) return "help";
  if (positionals.length > 1) throw new UsageError(`expected one source id, got ${positionals.join(" ")}`);
  const sourceId = positionals[0];
  if (!sourceId && !values.all) throw new UsageError("name a source id or pass --all");
  if (sourceId && values.all) throw new UsageError("pass either a source id or --all, not both");
  return {
    sourceId,
    all: values.all ?? false,
    dryRun: forceDryRun || (values["dry-run"] ?? false),
    full: values.full ?? false,
    reconcile: values.reconcile ?? false,
    forceDeletes: values["force-deletes"] ?? false,
    configFlag: values.config,
    json: values.json ?? false,
    concurrency: parsePositiveInt("concurrency", values.concurrency),
  };
}

/** The body of `sync` and `plan`. */
export async function runSyncCommand(request: SyncRunRequest, ctx: CliContext): Promise<number> {
  // Log lines and the progress bar share stderr: the bar is cleared before each log line.
  const terminal = new TerminalLine(ctx.stderr);
  const logger = createCliLogger(terminal, ctx.env.LOG_LEVEL, request.json ? "info" : "warn");
  const configFile = resolveConfigPath(request.configFlag, ctx);
  let config: ContentSyncConfig;
  const registry = builtInRegistry();
  try {
    // Loads the connectors the config names: the registry then holds their definitions.
    config = await loadConfig(configFile, { registry, env: ctx.env, cwd: ctx.cwd });
  } catch (error) {
    if (!isConfigError(error)) throw error;
    ctx.stderr.write(`${error.message}\n`);
    return EXIT.usage;
  }
  const sources = selectSources(config, request);
  applyConversionLimits(config);

  const target = await openIntercomTarget(config, { env: ctx.env, logger });
  const files = stateFilesFor(config, target);
  let state: LmdbStateStore;
  try {
    state = await LmdbStateStore.open(files.database, { legacyJsonFile: files.legacyJsonFile });
  } catch (error) {
    await target.close();
    throw error;
  }
  const out = new Output(ctx, request.json, terminal);
  out.target(target);
  const summaries: RunSummary[] = [];
  let interrupted = false;
  let superseded = false;
  try {
    for (const source of sources) {
      if (ctx.signal.aborted) break;
      const summary = await syncOneSource(source, {
        request,
        ctx,
        config,
        registry,
        target,
        state,
        logger,
        out,
      });
      if (summary === "interrupted") {
        interrupted = true;
        break;
      }
      if (summary === "superseded") {
        superseded = true;
        continue;
      }
      summaries.push(summary);
    }
  } finally {
    await state.close();
    await target.close();
  }
  interrupted ||= ctx.signal.aborted;
  out.finish(summaries, target, ctx, request, interrupted);
  if (interrupted) return EXIT.interrupted;
  return superseded || summaries.some(runHasProblems) ? EXIT.failed : EXIT.ok;
}

interface RunDeps {
  request: SyncRunRequest;
  ctx: CliContext;
  config: ContentSyncConfig;
  registry: ConnectorRegistry;
  target: IntercomTarget;
  state: LmdbStateStore;
  logger: Logger;
  out: Output;
}

async function syncOneSource(
  source: SourceConfig,
  deps: RunDeps,
): Promise<RunSummary | "interrupted" | "superseded"> {
  const { request, ctx, registry, target, state, logger, out } = deps;
  const definition = registry.get(source.type);
  if (!definition) throw new Error(`connector type "${source.type}" is not available in this build`);
  const connector = definition.create(
    source.options,
    connectorInitFor(source, definition, {
      logger: logger.child({ sourceId: source.id, module: "connector" }),
      env: ctx.env,
    }),
  );
  const bar = out.progressBar(source.id, await state.countPages(source.id));
  try {
    const summary = await runSync({
      source,
      connector,
      client: target.client,
      state,
      mode: request.full || request.reconcile ? "full" : "incremental",
      dryRun: request.dryRun,
      reconcile: request.reconcile,
      forceDeletes: request.forceDeletes,
      ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
      signal: ctx.signal,
      logger,
      apiCalls: target.apiCalls,
      ...(bar ? { onProgress: (progress) => bar.update(progress) } : {}),
      onChange: (change) => out.change(source.id, change),
    });
    bar?.finish();
    out.summary(summary);
    return summary;
  } catch (error) {
    bar?.finish();
    if (isSyncAbortedError(error)) {
      out.summary(error.summary);
      ctx.stderr.write(`interrupted: ${error.message}\n`);
      return "interrupted";
    }
    if (isRunSupersededError(error)) {
      ctx.stderr.write(`${source.id}: ${error.message}\n`);
      return "superseded";
    }
    throw error;
  } finally {
    await connector.close?.();
  }
}

function selectSources(config: ContentSyncConfig, request: SyncRunRequest): SourceConfig[] {
  if (request.all) {
    const enabled = config.sources.filter((source) => source.enabled);
    if (enabled.length === 0) throw new UsageError(`no enabled source in ${config.file}`);
    return enabled;
  }
  const source = config.sources.find((candidate) => candidate.id === request.sourceId);
  if (!source) {
    const known = config.sources.map((candidate) => candidate.id).join(", ");
    throw new UsageError(
      `unknown source "${request.sourceId}" in ${config.file}; configured sources: ${known}`,
    );
  }
  return [source];
}

/** stderr as the logger sees it: clears the progress bar's line before a log line is written. */
class TerminalLine {
  bar: ProgressBar | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(chunk: string): boolean {
    this.bar?.clear();
    return this.stream.write(chunk);
  }
}

/** Changes listed by name in human output, per source and action; the table has the counts. */
const LISTED_CHANGES = 20;

/** Human output (progress bar, table) or JSON lines, from the same events. */
class Output {
  private readonly changes = new Map<string, PageChange[]>();

  constructor(
    private readonly ctx: CliContext,
    private readonly json: boolean,
    private readonly terminal: TerminalLine,
  ) {}

  target(target: IntercomTarget): void {
    if (this.json) {
      this.line({
        type: "target",
        kind: target.kind,
        baseUrl: target.baseUrl,
        dataFile: target.sandbox?.dataFile,
      });
      return;
    }
    if (target.sandbox) {
      this.ctx.stdout.write(
        `intercom.target is sandbox: syncing into the embedded Intercom sandbox (${displayPath(target.sandbox.dataFile, this.ctx)}), not a real workspace.\n`,
      );
    } else {
      this.ctx.stdout.write(`Syncing into Intercom at ${target.baseUrl}.\n`);
    }
  }

  progressBar(sourceId: string, expectedTotal: number): ProgressBar | undefined {
    if (this.json || !this.ctx.stderr.isTTY) return undefined;
    const bar = new ProgressBar(this.ctx.stderr, sourceId, expectedTotal);
    this.terminal.bar = bar;
    return bar;
  }

  change(sourceId: string, change: PageChange): void {
    if (this.json) {
      this.line({ type: "change", sourceId, ...change });
      return;
    }
    const key = `${sourceId}\u0000${change.action}`;
    const list = this.changes.get(key) ?? [];
    if (list.length <= LISTED_CHANGES) list.push(change);
    this.changes.set(key, list);
  }

  summary(summary: RunSummary): void {
    if (this.json) this.line({ type: "summary", ...summary });
  }

  finish(
    summaries: readonly RunSummary[],
    target: IntercomTarget,
    ctx: CliContext,
    request: SyncRunRequest,
    interrupted: boolean,
  ): void {
    const ok = !interrupted && !summaries.some(runHasProblems);
    if (this.json) {
      this.line({ type: "result", ok, interrupted, sources: summaries.length });
      return;
    }
    if (summaries.length === 0) return;
    const lines = ["", renderSummaryTable(summaries), ""];
    for (const summary of summaries) lines.push(...this.renderChanges(summary), ...renderProblems(summary));
    const writes = summaries.reduce((sum, summary) => sum + summary.writeCalls, 0);
    if (request.dryRun) lines.push("Plan only (--dry-run): nothing was written.");
    else if (ok && writes === 0) lines.push("Everything is up to date: no write calls were made.");
    else if (!ok) {
      const troubled = summaries.filter(runHasProblems).map((summary) => summary.sourceId);
      lines.push(
        interrupted
          ? "Interrupted: the next run continues from the last committed cursor."
          : `Not everything was synced (${troubled.join(", ")}): see above; the exit code is non-zero.`,
      );
    }
    if (target.sandbox) {
      const file = displayPath(target.sandbox.dataFile, ctx);
      lines.push(
        `Pages are kept in ${file}. The embedded sandbox stopped with this command; to browse what Fin would see, run:`,
        `  npx content-sync sandbox --data ${file}`,
        "and open the URL it prints.",
      );
    }
    this.ctx.stdout.write(`${lines.join("\n")}\n`);
  }

  private renderChanges(summary: RunSummary): string[] {
    const lines: string[] = [];
    const verb = summary.dryRun ? "would be " : "";
    for (const [action, marker] of [
      ["created", "+"],
      ["updated", "~"],
      ["deleted", "-"],
    ] as const) {
      const list = this.changes.get(`${summary.sourceId}\u0000${action}`) ?? [];
      if (list.length === 0) continue;
      const count = summary[action];
      lines.push(`${summary.sourceId}: ${count} page${count === 1 ? "" : "s"} ${verb}${action}:`);
      for (const change of list.slice(0, LISTED_CHANGES)) {
        lines.push(`  ${marker} ${change.externalId}${change.pageId ? ` (page ${change.pageId})` : ""}`);
      }
      if (count > LISTED_CHANGES) lines.push(`  … and ${count - LISTED_CHANGES} more`);
    }
    return lines;
  }

  private line(value: object): void {
    this.ctx.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

export const syncCommand: CliCommand = {
  name: "sync",
  usage: USAGE,
  async run(argv, ctx) {
    const request = parseSyncArgs(argv, false);
    if (request === "help") {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    return runSyncCommand(request, ctx);
  },
};
