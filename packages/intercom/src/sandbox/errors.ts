/** An option given to `startSandbox` or a flag given to the sandbox CLI is invalid. */
export class SandboxOptionsError extends Error {
  override readonly name = "SandboxOptionsError";
  /** The option or flag at fault, e.g. `rateLimit.perMinute` or `--port`. */
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`Invalid sandbox option ${option}: ${problem}`);
    this.option = option;
  }
}

export function isSandboxOptionsError(error: unknown): error is SandboxOptionsError {
  return error instanceof SandboxOptionsError;
}

/** The sandbox's data file cannot be read or holds something other than sandbox data. */
export class SandboxDataFileError extends Error {
  override readonly name = "SandboxDataFileError";
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`Sandbox data file ${file}: ${problem}`, options);
    this.file = file;
  }
}

export function isSandboxDataFileError(error: unknown): error is SandboxDataFileError {
  return error instanceof SandboxDataFileError;
}

/** One entry of an Intercom `error.list`. */
export interface ApiErrorEntry {
  code: string;
  message: string;
  /** The request field at fault, when there is one. */
  field?: string;
}

/**
 * A request the sandbox answers with an Intercom `error.list`. Thrown by handlers and turned into a
 * response by the server; it never leaves the sandbox.
 */
export class SandboxApiError extends Error {
  override readonly name = "SandboxApiError";
  readonly status: number;
  readonly errors: ApiErrorEntry[];

  constructor(status: number, errors: ApiErrorEntry[]) {
    super(errors.map((entry) => entry.message).join("; "));
    this.status = status;
    this.errors = errors;
  }

  static notFound(message = "Resource Not Found"): SandboxApiError {
    return new SandboxApiError(404, [{ code: "not_found", message }]);
  }
}

export function isSandboxApiError(error: unknown): error is SandboxApiError {
  return error instanceof SandboxApiError;
}
