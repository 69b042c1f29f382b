import { takeLogLevel } from "./log-level.js";
import type { CliContext, CommandEntry } from "./command.js";
import { EXIT, isUsageError } from "./command.js";
import { commands as builtInCommands, movedCommands } from "./commands/index.js";
import { didYouMean } from "./did-you-mean.js";
import { appVersion } from "../version.js";

function renderHelp(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    "Usage: content-sync <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options of every command:",
    "  --log-level LEVEL  fatal|error|warn|info|debug|trace|silent (default: the command's, or $LOG_LEVEL)",
    "  -h, --help         the command's options",
    "",
    "content-sync --version prints the version. Workers run as `content-sync-worker` (apps/worker).",
  ].join("\n");
}

/** Dispatches `argv` (without node and script) to a command; returns the exit code. */
export async function runCli(
  argv: readonly string[],
  ctx: CliContext,
  commands: readonly CommandEntry[] = builtInCommands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? ctx.stderr : ctx.stdout).write(`${renderHelp(commands)}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === "--version" || name === "-v" || name === "version") {
    ctx.stdout.write(`content-sync ${appVersion()}\n`);
    return EXIT.ok;
  }
  const entry = commands.find((candidate) => candidate.name === name);
  if (!entry) {
    const moved = movedCommands[name];
    const guess = didYouMean(
      name,
      commands.map((command) => command.name),
    );
    const hint = moved ? `: ${moved}` : guess ? `. Did you mean "${guess}"?` : "";
    ctx.stderr.write(`content-sync: unknown command "${name}"${hint}\n\n${renderHelp(commands)}\n`);
    return EXIT.usage;
  }
  let args: string[];
  let commandCtx = ctx;
  try {
    const { level, rest: remaining } = takeLogLevel(rest, ctx.env);
    args = remaining;
    if (level) commandCtx = { ...ctx, env: { ...ctx.env, LOG_LEVEL: level } };
  } catch (error) {
    if (!isUsageError(error)) throw error;
    ctx.stderr.write(`content-sync ${name}: ${error.message}\n`);
    return EXIT.usage;
  }
  const command = await entry.load();
  try {
    return await command.run(args, commandCtx);
  } catch (error) {
    if (isUsageError(error)) {
      ctx.stderr.write(`content-sync ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    ctx.stderr.write(`content-sync ${command.name} failed: ${message}\n`);
    return EXIT.failed;
  }
}
