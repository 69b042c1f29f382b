import path from "node:path";
import type { CliContext } from "./command.js";

/** The config a command reads: --config, else CONTENT_SYNC_CONFIG, else ./content-sync.yaml. */
export function resolveConfigPath(flag: string | undefined, ctx: CliContext): string {
  const chosen = flag ?? ctx.env.CONTENT_SYNC_CONFIG ?? "content-sync.yaml";
  return path.resolve(ctx.cwd, chosen);
}

/** A path for messages: relative to the working directory when it is inside it. */
export function displayPath(file: string, ctx: CliContext): string {
  const relative = path.relative(ctx.cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
