/** Placeholders a `urlTemplate` may use; see `FilesystemOptions.urlTemplate` for what each means. */
export const URL_PLACEHOLDERS = ["path", "slug", "name", "stem"] as const;

const PLACEHOLDER_SOURCE = `\\{(${URL_PLACEHOLDERS.join("|")})\\}`;
/** Global, for replace; `test` on a global pattern would carry `lastIndex` from call to call. */
const PLACEHOLDER_PATTERN = new RegExp(PLACEHOLDER_SOURCE, "g");
const ANY_PLACEHOLDER = new RegExp(PLACEHOLDER_SOURCE);

/** True when the template uses at least one known placeholder. */
export function hasUrlPlaceholder(template: string): boolean {
  return ANY_PLACEHOLDER.test(template);
}

/** `template` with every known placeholder replaced by `value` (to check the template parses as a URL). */
export function fillUrlPlaceholders(template: string, value: string): string {
  return template.replace(PLACEHOLDER_PATTERN, value);
}

/**
 * Builds a file's public URL from the source's template. Each path segment is percent-encoded on its
 * own, so names with spaces, `#` or `?` stay one segment and the slashes between them stay slashes.
 */
export function fileUrl(template: string, relativePath: string): string {
  const segments = relativePath.split("/");
  const name = segments.at(-1) ?? "";
  const stem = withoutExtension(name);
  const encodedFolders = segments.slice(0, -1).map(encodeURIComponent);
  const values: Record<string, string> = {
    path: segments.map(encodeURIComponent).join("/"),
    slug: [...encodedFolders, encodeURIComponent(stem)].join("/"),
    name: encodeURIComponent(name),
    stem: encodeURIComponent(stem),
  };
  const withPath = hasUrlPlaceholder(template)
    ? template
    : `${template}${template.endsWith("/") ? "" : "/"}{path}`;
  return withPath.replace(PLACEHOLDER_PATTERN, (_, key: string) => values[key] ?? "");
}

/** `guide.v2.md` → `guide.v2`; a leading dot is part of the name (`.profile` stays `.profile`). */
function withoutExtension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}
