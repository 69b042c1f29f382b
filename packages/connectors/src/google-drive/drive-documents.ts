import type { DocumentMetadata } from "../contract.js";
import { canonicalMediaType, mediaTypeOfName } from "../toolkit/media-types/media-types.js";
import { type DriveFile, FOLDER_MIME_TYPE, GOOGLE_APPS_PREFIX, GOOGLE_DOC_MIME_TYPE } from "./drive-types.js";

export const isFolder = (file: DriveFile): boolean => file.mimeType === FOLDER_MIME_TYPE;
export const isGoogleDoc = (file: DriveFile): boolean => file.mimeType === GOOGLE_DOC_MIME_TYPE;

/**
 * The media type a file is synced as: Google Docs as `text/html` (what they are exported as); other
 * Google Workspace types (Sheets, Slides, Forms, shortcuts) have no conversion here: undefined;
 * binary files by their name's extension, else Drive's `mimeType`.
 */
export function mediaTypeOfFile(file: DriveFile): string | undefined {
  if (isGoogleDoc(file)) return "text/html";
  if (file.mimeType.startsWith(GOOGLE_APPS_PREFIX)) return undefined;
  return mediaTypeOfName(file.name) ?? canonicalMediaType(file.mimeType);
}

/**
 * The cheap change marker. Drive's `version` rises with every change on the server, renames,
 * sharing, stars and description edits included, so for binary files it would re-download on
 * metadata-only changes; their `md5Checksum` changes only with the bytes. The name goes with it
 * because the title is derived from it (a rename must update the page). Google Docs have no
 * checksum: their `version` is the only marker, and a metadata-only change costs one export whose
 * hash the engine then finds unchanged.
 */
export function versionOf(file: DriveFile): string {
  if (file.md5Checksum) return `md5:${file.md5Checksum}:${file.name}`;
  if (file.version) return `v:${file.version}`;
  return `modified:${file.modifiedTime ?? ""}:${file.size ?? ""}`;
}

/** The name without its extension; Google Docs' names have none, so they stay whole. */
export function titleOf(file: DriveFile): string {
  if (file.mimeType.startsWith(GOOGLE_APPS_PREFIX)) return file.name;
  const stem = file.name.replace(/(?<=.)\.[^.]+$/, "");
  return stem === "" ? file.name : stem;
}

/** `size` is an int64 in a string; undefined when absent (Google Workspace files) or not a number. */
export function sizeOf(file: DriveFile): number | undefined {
  if (file.size === undefined) return undefined;
  const size = Number(file.size);
  return Number.isSafeInteger(size) && size >= 0 ? size : undefined;
}

export function updatedAtOf(file: DriveFile): Date | undefined {
  if (!file.modifiedTime) return undefined;
  const date = new Date(file.modifiedTime);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Metadata for the engine's rules: the path below the scope root, the media type, the root as space. */
export function metadataOf(
  file: DriveFile,
  context: { path: string; mediaType: string; space: string },
): DocumentMetadata {
  const author = file.lastModifyingUser?.displayName;
  return {
    path: context.path,
    type: context.mediaType,
    space: context.space,
    ...(author ? { author } : {}),
    ...(file.driveId ? { driveId: file.driveId } : {}),
  };
}
