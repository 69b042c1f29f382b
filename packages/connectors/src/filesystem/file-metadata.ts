import type { DocumentMetadata } from "../contract.js";
import { extensionOf } from "../toolkit/media-types/media-types.js";
import { FilesystemFileError } from "./filesystem-file-error.js";

/** Keys the connector sets from the path; front matter cannot overwrite them. */
const PATH_KEYS = new Set(["path", "type", "name", "directory"]);

/**
 * What is known from the path alone (no read): `path`, `type` (extension), `name`, `directory`, and
 * `space` = the top-level folder, so a share organised as one folder per team or product can be
 * routed by the engine's rules without front matter. Files directly in the root have no space.
 */
export function pathMetadata(relativePath: string): DocumentMetadata {
  const segments = relativePath.split("/");
  const name = segments.at(-1) ?? relativePath;
  const metadata: DocumentMetadata = { path: relativePath, type: extensionOf(name), name };
  if (segments.length > 1) {
    metadata.directory = segments.slice(0, -1).join("/");
    metadata.space = segments[0];
  }
  return metadata;
}

export interface FrontMatterFields {
  title?: string;
  url?: string;
  metadata: DocumentMetadata;
}

/**
 * Reads the fields the connector understands from front matter: `title`, `url` (absolute http(s)),
 * `labels` (or `tags`, `categories`; a list or a comma-separated string), `space`, `status` (`draft:
 * true` means status "draft"), `author`. Every other scalar or list of scalars is copied into the
 * metadata as text so the engine's rules can match it; nested objects are ignored.
 */
export function frontMatterFields(
  data: Readonly<Record<string, unknown>>,
  relativePath: string,
): FrontMatterFields {
  const invalid = (key: string, expected: string): FilesystemFileError =>
    new FilesystemFileError("front_matter", relativePath, `front matter "${key}" must be ${expected}`);
  const text = (key: string): string | undefined => {
    const value = data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string" || typeof value === "number") return String(value).trim() || undefined;
    throw invalid(key, "a string");
  };
  const metadata: DocumentMetadata = {};
  for (const [key, value] of Object.entries(data)) {
    if (PATH_KEYS.has(key) || key === "title" || key === "url") continue;
    const scalar = asText(value);
    if (scalar !== undefined) metadata[key] = scalar;
    else if (Array.isArray(value) && value.every((item) => asText(item) !== undefined)) {
      metadata[key] = value.map((item) => asText(item) ?? "");
    }
  }
  const labelsKey = ["labels", "tags", "categories"].find(
    (key) => data[key] !== undefined && data[key] !== null,
  );
  if (labelsKey !== undefined) {
    const raw = data[labelsKey];
    const labels =
      typeof raw === "string"
        ? raw.split(",")
        : Array.isArray(raw) && raw.every((item) => asText(item) !== undefined)
          ? raw.map((item) => asText(item) ?? "")
          : undefined;
    if (labels === undefined) throw invalid(labelsKey, "a list of strings or a comma-separated string");
    metadata.labels = labels.map((label) => label.trim()).filter((label) => label !== "");
  }
  for (const key of ["space", "status", "author"]) {
    const value = text(key);
    if (value !== undefined) metadata[key] = value;
  }
  if (metadata.status === undefined && data.draft === true) metadata.status = "draft";
  const title = text("title");
  const url = text("url");
  if (url !== undefined && !(URL.canParse(url) && /^https?:$/.test(new URL(url).protocol))) {
    throw invalid("url", `an absolute http(s) URL, got "${url}"`);
  }
  return { ...(title === undefined ? {} : { title }), ...(url === undefined ? {} : { url }), metadata };
}

function asText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}
