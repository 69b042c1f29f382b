/**
 * Why one file could not be synced. Reported as a `failed` event: the file still exists, so it is
 * never treated as deleted.
 * - `unreadable`: permissions, a dangling link, an I/O error;
 * - `unsupported`: matched `include` but is not a type the connector reads;
 * - `too_large`: larger than `maxFileBytes`;
 * - `outside_root`: a link or id that resolves outside the root;
 * - `front_matter`: Markdown whose front matter is not valid YAML or has a malformed known field.
 */
export type FilesystemFileErrorReason =
  | "unreadable"
  | "unsupported"
  | "too_large"
  | "outside_root"
  | "front_matter";

export class FilesystemFileError extends Error {
  override readonly name = "FilesystemFileError";
  readonly reason: FilesystemFileErrorReason;
  /** Path relative to the root, forward slashes (the document's external id). */
  readonly path: string;
  /** The errno code when the file system gave one (EACCES, ENOENT, ELOOP…). */
  readonly code: string | undefined;

  constructor(
    reason: FilesystemFileErrorReason,
    path: string,
    message: string,
    details: { code?: string; cause?: unknown } = {},
  ) {
    super(`${path}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.reason = reason;
    this.path = path;
    this.code = details.code;
  }
}

export const isFilesystemFileError = (error: unknown): error is FilesystemFileError =>
  error instanceof FilesystemFileError;
