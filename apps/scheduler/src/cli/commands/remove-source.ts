import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import {
  builtInRegistry,
  isConfigError,
  LmdbStateStore,
  loadConfig,
  openIntercomTarget,
  planRemoval,
  removeSource,
  ServiceContext,
  type StateStore,
  stateFilesFor,
} from "@content-sync/sync";
import type { CliCommand, CliContext } from "../command.js";
import { EXIT, UsageError } from "../command.js";
import { displayPath, resolveConfigPath } from "../config-path.js";
import { withUsageErrors } from "../parse-flags.js";

const FLAGS = {
  config: { type: "string", short: "c" },
  services: { type: "boolean" },
  yes: { type: "boolean", short: "y" },
  help: { type: "boolean", short: "h" },
} as const;

const USAGE = `Usage: content-sync remove-source <source-id> [--services] [--yes] [options]

Removes a source that left the config from Intercom for good: deletes every page content-sync
wrote for it, then its Content Import Source (unless other pages remain in it), then forgets its
state. Asks for confirmation; --yes confirms in scripts. A source still in the config is refused
(the scheduler would sync it again): take it out of the config first.

Options:
  --services         the state of the services (Redis) instead of inline runs' (the data folder)
  -y, --yes          do not ask
  -c, --config FILE  config file (default: $CONTENT_SYNC_CONFIG or ./content-sync.yaml)
  -h, --help         this help

Exit code: 0 when removed, 1 when some pages could not be deleted (run it again), 2 on usage or
config errors or when not confirmed.`;

export const removeSourceCommand: CliCommand = {
  name: "remove-source",
  usage: USAGE,
  async run(argv: readonly string[], ctx: CliContext): Promise<number> {
    const { values, positionals } = withUsageErrors(() =>
      parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: true }),
    );
    if (values.help) {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (positionals.length !== 1) throw new UsageError("name exactly one source id");
    const sourceId = positionals[0] as string;
    const file = resolveConfigPath(values.config, ctx);
    let config: Awaited<ReturnType<typeof loadConfig>>;
    try {
      config = await loadConfig(file, { registry: builtInRegistry(), env: ctx.env, cwd: ctx.cwd });
    } catch (error) {
      if (!isConfigError(error)) throw error;
      ctx.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    if (config.sources.some((source) => source.id === sourceId)) {
      throw new UsageError(
        `source "${sourceId}" is still in ${displayPath(file, ctx)}: take it out of the config first, or the next run syncs it again`,
      );
    }
    const target = await openIntercomTarget(config, { env: ctx.env });
    let state: StateStore;
    let closeState: () => Promise<void>;
    if (values.services) {
      const context = new ServiceContext({ config, registry: builtInRegistry(), env: ctx.env, role: "cli" });
      state = context.state;
      closeState = () => context.close();
    } else {
      const files = stateFilesFor(config, target);
      const store = await LmdbStateStore.open(files.database, { legacyJsonFile: files.legacyJsonFile });
      state = store;
      closeState = () => store.close();
    }
    try {
      const plan = await planRemoval(state, sourceId);
      if (plan.pages === 0 && plan.contentImportSourceId === undefined) {
        ctx.stderr.write(`no state for source "${sourceId}": nothing to remove\n`);
        return EXIT.usage;
      }
      const what = `${plan.pages} page(s) of "${sourceId}"${plan.contentImportSourceId !== undefined ? ` and Content Import Source ${plan.contentImportSourceId}${plan.contentImportSourceUrl ? ` (${plan.contentImportSourceUrl})` : ""}` : ""} in ${target.baseUrl}`;
      if (!values.yes && !(await confirm(ctx, `Delete ${what}? Type "yes" to confirm: `))) {
        ctx.stderr.write(
          `not confirmed: nothing was deleted${ctx.stdin?.isTTY ? "" : " (pass --yes to confirm without a terminal)"}\n`,
        );
        return EXIT.usage;
      }
      const outcome = await removeSource({ sourceId, client: target.client, state, signal: ctx.signal });
      ctx.stdout.write(`${sourceId}: ${outcome.deleted} page(s) deleted`);
      ctx.stdout.write(
        outcome.contentImportSourceDeleted
          ? `; Content Import Source ${outcome.contentImportSourceId} deleted\n`
          : "\n",
      );
      if (outcome.keptBecause) ctx.stdout.write(`kept: ${outcome.keptBecause}\n`);
      for (const failure of outcome.failures.slice(0, 20))
        ctx.stderr.write(`  ✗ ${failure.externalId}: ${failure.reason}\n`);
      return outcome.failures.length > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      await closeState();
      await target.close();
    }
  },
};

async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  if (!ctx.stdin?.isTTY) return false;
  const prompt = createInterface({ input: ctx.stdin, output: ctx.stderr });
  try {
    return (await prompt.question(question)).trim().toLowerCase() === "yes";
  } finally {
    prompt.close();
  }
}
