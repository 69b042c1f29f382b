#!/usr/bin/env node
import { EXIT } from "./cli/command.js";
import { runCli } from "./cli/run-cli.js";

// SIGINT/SIGTERM abort the run: the engine finishes in-flight documents, saves state and the summary
// says what was done. A second signal exits at once.
const controller = new AbortController();
let signalled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (signalled) process.exit(EXIT.interrupted);
  signalled = true;
  process.stderr.write(`\n${signal}: stopping cleanly (send it again to quit at once)\n`);
  controller.abort(new Error(`received ${signal}`));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.exitCode = code;
