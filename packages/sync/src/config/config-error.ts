/** One problem found in a config file. */
export interface ConfigIssue {
  /** Where in the document, as written in messages: `sources[2].options.root`; empty for the root. */
  path: string;
  /** 1-based line and column in the file, when the location is known. */
  line?: number;
  column?: number;
  message: string;
}

/** A config file that cannot be read, parsed or validated. Lists every problem found, not just the first. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(formatConfigIssues(file, issues), options);
    this.file = file;
    this.issues = issues;
  }
}

export const isConfigError = (error: unknown): error is ConfigError => error instanceof ConfigError;

function formatConfigIssues(file: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => {
    const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
    return `  - ${where} ${issue.path === "" ? "(root)" : issue.path}: ${issue.message}`;
  });
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return `invalid config ${file} (${count}):\n${lines.join("\n")}`;
}

/** `["sources", 2, "options", "root"]` → `sources[2].options.root`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
