import { parseArgs } from "node:util";
import { builtInRegistry, isConfigError, loadConfig } from "@content-sync/sync/config";
import type { CliCommand } from "../command.js";
import { EXIT, UsageError } from "../command.js";
import { displayPath, resolveConfigPath } from "../config-path.js";
import { withUsageErrors } from "../parse-flags.js";

const USAGE = `Usage: content-sync config check [FILE] [--json]

Validates a config file (default: --config, $CONTENT_SYNC_CONFIG or ./content-sync.yaml) and lists
every problem with its file, line and path. Exit code 0 when valid, 2 when not.`;

const FLAGS = {
  config: { type: "string", short: "c" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export const configCommand: CliCommand = {
  name: "config",
  usage: USAGE,
  async run(argv, ctx) {
    const { values, positionals } = withUsageErrors(() =>
      parseArgs({ args: [...argv], options: FLAGS, strict: true, allowPositionals: true }),
    );
    if (values.help) {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const [subcommand, fileArgument, ...rest] = positionals;
    if (subcommand !== "check")
      throw new UsageError(`unknown config subcommand "${subcommand ?? ""}" (expected check)`);
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest.join(" ")}`);
    if (fileArgument && values.config)
      throw new UsageError("give the file either as an argument or with --config");
    const file = resolveConfigPath(fileArgument ?? values.config, ctx);
    try {
      const config = await loadConfig(file, { registry: builtInRegistry(), env: ctx.env, cwd: ctx.cwd });
      const notes: string[] = [];
      if (config.intercom.target === "sandbox") {
        notes.push("intercom.target is sandbox: inline runs write to a local sandbox, not to a workspace");
      }
      for (const source of config.sources) {
        if (source.webhook && !ctx.env[source.webhook.secretEnv]) {
          notes.push(`source ${source.id}: webhook secret ${source.webhook.secretEnv} is not set`);
        }
      }
      if (values.json) {
        ctx.stdout.write(
          `${JSON.stringify({ valid: true, file, sources: config.sources.map((s) => s.id), notes })}\n`,
        );
      } else {
        const ids = config.sources.map((source) => `${source.id} (${source.type})`).join(", ");
        ctx.stdout.write(`${displayPath(file, ctx)} is valid: ${config.sources.length} source(s): ${ids}\n`);
        for (const note of notes) ctx.stdout.write(`note: ${note}\n`);
      }
      return EXIT.ok;
    } catch (error) {
      if (!isConfigError(error)) throw error;
      if (values.json) ctx.stdout.write(`${JSON.stringify({ valid: false, file, issues: error.issues })}\n`);
      else ctx.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
  },
};
