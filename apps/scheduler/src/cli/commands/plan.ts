import type { CliCommand } from "../command.js";
import { EXIT } from "../command.js";
import { parseSyncArgs, runSyncCommand, syncCommand } from "./sync.js";

const USAGE = `Usage: content-sync plan <source-id | --all> [options]

Same as \`content-sync sync --dry-run\`: lists, transforms and compares, and prints what a sync would
create, update and delete without writing anything. Accepts the options of \`sync\`.

${syncCommand.usage.split("\n").slice(5).join("\n")}`;

export const planCommand: CliCommand = {
  name: "plan",
  usage: USAGE,
  async run(argv, ctx) {
    const request = parseSyncArgs(argv, true);
    if (request === "help") {
      ctx.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    return runSyncCommand(request, ctx);
  },
};
