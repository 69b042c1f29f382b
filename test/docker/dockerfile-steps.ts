import { execFile } from "node:child_process";
import { chmod, cp, mkdir, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

/** One instruction of a Dockerfile, with its continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Reads a Dockerfile: comments dropped, `\` continuations joined, keywords upper-cased. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  let startLine = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (pending === "" && (line.trim() === "" || line.trimStart().startsWith("#"))) return;
    if (pending === "") startLine = index + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const [keyword = ""] = full.split(/\s+/);
    instructions.push({
      keyword: keyword.toUpperCase(),
      args: full.slice(keyword.length).trim(),
      line: startLine,
    });
  });
  return instructions;
}

/** `["a", "b"]` (exec form) or a shell string wrapped as `sh -c`. */
export function commandOf(args: string): string[] {
  if (args.startsWith("[")) return JSON.parse(args) as string[];
  return ["sh", "-c", args];
}

/** `K=V K2="v 2"` → entries. */
function parseEnv(args: string): [string, string][] {
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((match) => [
    match[1] as string,
    (match[2] ?? "").replace(/^"(.*)"$/, "$1"),
  ]);
}

/** A .dockerignore: patterns matched against context-relative paths, the last match wins. */
async function dockerignore(context: string): Promise<(relative: string) => boolean> {
  const text = await readFile(path.join(context, ".dockerignore"), "utf8").catch(() => "");
  const rules = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const negated = line.startsWith("!");
      const pattern = negated ? line.slice(1) : line;
      const source = pattern
        .split("/")
        .map((part) =>
          part === "**"
            ? "@@GLOBSTAR@@"
            : part
                .replace(/[.+^${}()|[\]\\]/g, "\\$&")
                .replace(/\*/g, "[^/]*")
                .replace(/\?/g, "[^/]"),
        )
        .join("/")
        .replaceAll("@@GLOBSTAR@@/", "(?:.*/)?")
        .replaceAll("@@GLOBSTAR@@", ".*");
      return { negated, regex: new RegExp(`^${source}(?:/.*)?$`) };
    });
  return (relative) => {
    let ignored = false;
    for (const rule of rules) if (rule.regex.test(relative)) ignored = !rule.negated;
    return ignored;
  };
}

export interface Stage {
  name: string;
  image: string;
  /** The stage's filesystem root in the scratch folder. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  healthcheck?: string[];
  /** The folder a container path of this stage lives at. */
  at(containerPath: string): string;
}

export interface PerformOptions {
  context: string;
  scratch: string;
  /** Environment of RUN steps besides the stage's ENV (PATH, npm's cache…). */
  runEnv: Record<string, string | undefined>;
  log?: (line: string) => void;
}

/**
 * Performs a Dockerfile's build in a scratch folder: each stage gets its own root, WORKDIR/COPY/ENV/
 * USER/RUN/ENTRYPOINT/CMD/HEALTHCHECK act on it as a builder would (COPY honours .dockerignore and
 * `--from`), RUN goes through bash in the stage's working directory. Returns the stages, last one
 * being the image.
 */
export async function performDockerfile(file: string, options: PerformOptions): Promise<Stage[]> {
  const instructions = parseDockerfile(await readFile(file, "utf8"));
  const ignored = await dockerignore(options.context);
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const instruction of instructions) {
    const { keyword, args } = instruction;
    if (keyword === "FROM") {
      const [image = "", , name] = args.split(/\s+/);
      const root = path.join(options.scratch, `stage-${stages.length}`);
      await mkdir(root, { recursive: true });
      await chmod(root, 0o755);
      const created: Stage = {
        name: name ?? String(stages.length),
        image,
        root,
        workdir: "/",
        env: {},
        at: (containerPath) => path.join(root, containerPath),
      };
      stages.push(created);
      stage = created;
      continue;
    }
    if (!stage) throw new Error(`line ${instruction.line}: ${keyword} before FROM`);
    const current = stage;
    switch (keyword) {
      case "WORKDIR":
        current.workdir = path.posix.resolve(current.workdir, args);
        await mkdir(current.at(current.workdir), { recursive: true });
        break;
      case "ENV":
        for (const [key, value] of parseEnv(args)) current.env[key] = value;
        break;
      case "USER":
        current.user = args;
        break;
      case "ENTRYPOINT":
        current.entrypoint = commandOf(args);
        break;
      case "CMD":
        current.cmd = commandOf(args);
        break;
      case "HEALTHCHECK": {
        const at = args.indexOf("CMD ");
        current.healthcheck = commandOf(args.slice(at + 4).trim());
        break;
      }
      case "EXPOSE":
      case "ARG":
      case "LABEL":
        break;
      case "COPY": {
        const words = args.split(/\s+/);
        const flags = words.filter((word) => word.startsWith("--"));
        const paths = words.filter((word) => !word.startsWith("--"));
        const dest = paths.pop() as string;
        const from = flags.find((flag) => flag.startsWith("--from="))?.slice(7);
        const source = from ? stages.find((candidate) => candidate.name === from) : undefined;
        if (from && !source) throw new Error(`line ${instruction.line}: no stage named ${from}`);
        const destPath = current.at(path.posix.resolve(current.workdir, dest));
        const intoDir = dest.endsWith("/") || paths.length > 1;
        for (const src of paths) {
          const origin = source ? source.at(src) : path.join(options.context, src);
          const info = await stat(origin);
          if (info.isDirectory()) {
            await copyTree(
              origin,
              destPath,
              source ? () => false : (file) => ignored(path.relative(options.context, file)),
            );
          } else {
            const target = intoDir ? path.join(destPath, path.basename(src)) : destPath;
            await mkdir(path.dirname(target), { recursive: true });
            await cp(origin, target);
          }
        }
        break;
      }
      case "RUN": {
        // `--mount=…` (BuildKit caches, secrets) is the builder's business: the command is the rest.
        const command = args.replace(/^(?:--mount=\S+\s+)+/, "");
        if (/\bnpm cache clean\b/.test(command)) {
          throw new Error(`line ${instruction.line}: RUN ${command} would empty this machine's npm cache`);
        }
        options.log?.(`RUN ${command}`);
        await promisify(execFile)("bash", ["-c", command], {
          cwd: current.at(current.workdir),
          env: { ...options.runEnv, ...current.env },
          maxBuffer: 256 * 1024 * 1024,
          timeout: 900_000,
        }).catch((error: { stdout?: string; stderr?: string }) => {
          throw new Error(
            `line ${instruction.line}: RUN ${args} failed:\n${error.stderr ?? ""}${error.stdout ?? ""}`,
          );
        });
        break;
      }
      default:
        throw new Error(`line ${instruction.line}: ${keyword} is not performed by this test; teach it`);
    }
  }
  return stages;
}

/** Copies a folder's contents (as COPY does with a folder), leaving out what `skip` names. */
async function copyTree(from: string, to: string, skip: (file: string) => boolean): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    if (skip(source)) continue;
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) await copyTree(source, target, skip);
    else await cp(source, target, { verbatimSymlinks: true });
  }
}
