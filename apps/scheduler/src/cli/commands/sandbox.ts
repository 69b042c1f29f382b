import { isSandboxOptionsError, runSandboxCli, SANDBOX_CLI_USAGE } from "@content-sync/intercom/sandbox";
import type { CliCommand } from "../command.js";
import { EXIT, UsageError } from "../command.js";

export const sandboxCommand: CliCommand = {
  name: "sandbox",
  usage: SANDBOX_CLI_USAGE,
  async run(argv, ctx) {
    try {
      await runSandboxCli([...argv], { stdout: ctx.stdout, signal: ctx.signal });
    } catch (error) {
      if (isSandboxOptionsError(error)) throw new UsageError(error.message.split("\n")[0] ?? error.message);
      throw error;
    }
    return EXIT.ok;
  },
};
