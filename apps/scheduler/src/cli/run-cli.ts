import type { CliCommand, CliContext } from "./command.js";
import { EXIT, isUsageError } from "./command.js";
import { commands as builtInCommands } from "./commands/index.js";

function renderHelp(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return `Usage: content-sync <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun \`content-sync <command> --help\` for a command's options.`;
}

/** Dispatches `argv` (without node and script) to a command; returns the exit code. */
export async function runCli(
  argv: readonly string[],
  ctx: CliContext,
  commands: readonly CliCommand[] = builtInCommands,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    (name === undefined ? ctx.stderr : ctx.stdout).write(`${renderHelp(commands)}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    ctx.stderr.write(`content-sync: unknown command "${name}"\n\n${renderHelp(commands)}\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, ctx);
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
