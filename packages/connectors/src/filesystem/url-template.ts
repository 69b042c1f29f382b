/**
 * Builds a file's public URL from the source's template. Each path segment is percent-encoded on its
 * own, so names with spaces, `#` or `?` stay one segment and the slashes between them stay slashes.
 */
export function fileUrl(template: string, relativePath: string): string {
  const segments = relativePath.split("/");
  const name = segments.at(-1) ?? "";
  const dot = name.lastIndexOf(".");
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const values: Record<string, string> = {
    path: segments.map(encodeURIComponent).join("/"),
    name: encodeURIComponent(name),
    stem: encodeURIComponent(stem),
  };
  const withPath = /\{(path|name|stem)\}/.test(template)
    ? template
    : `${template}${template.endsWith("/") ? "" : "/"}{path}`;
  return withPath.replace(/\{(path|name|stem)\}/g, (_, key: string) => values[key] ?? "");
}
