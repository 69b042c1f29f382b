/**
 * A fast path for the front matter nearly every docs repository writes: one `key: value` line per
 * field, values that are quoted strings without escapes, plain words, small integers, booleans, or
 * flow lists of plain words (`labels: [billing, help]`). Such a block means the same to every YAML
 * parser, and reading it directly costs a fraction of a full YAML parse (which was most of the
 * filesystem connector's own CPU per document). Anything else — comments, nesting, block scalars,
 * anchors, escapes, duplicate keys, numbers that YAML could read another way — returns undefined, and
 * the caller hands the block to the YAML parser, so the results never differ (a test holds the two
 * against each other).
 */
const LINE = /^([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.*?)[ \t]*$/;
/** Plain scalars that YAML's core schema reads as strings: start with a letter, no indicators. */
const PLAIN_WORDS = /^[A-Za-z][A-Za-z0-9 _./-]*$/;
const SMALL_INTEGER = /^(?:0|[1-9][0-9]{0,14})$/;
/** Core-schema keywords a plain scalar must not be (they are booleans or null, not strings). */
const KEYWORDS = new Map<string, boolean | null>([
  ["true", true],
  ["True", true],
  ["TRUE", true],
  ["false", false],
  ["False", false],
  ["FALSE", false],
  ["null", null],
  ["Null", null],
  ["NULL", null],
]);

type SimpleValue = string | number | boolean | null | string[];

export function parseSimpleFrontMatter(block: string): Record<string, SimpleValue> | undefined {
  const data: Record<string, SimpleValue> = {};
  for (const line of block.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const match = LINE.exec(line);
    if (match === null) return undefined;
    const [, key, raw] = match as unknown as [string, string, string];
    if (Object.hasOwn(data, key) || key === "__proto__") return undefined;
    const value = simpleValue(raw);
    if (value === undefined) return undefined;
    data[key] = value;
  }
  return data;
}

function simpleValue(raw: string): SimpleValue | undefined {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    const inner = raw.slice(1, -1);
    return /["\\]/.test(inner) ? undefined : inner;
  }
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) {
    const inner = raw.slice(1, -1);
    return inner.includes("'") ? undefined : inner;
  }
  if (raw.startsWith("[") && raw.endsWith("]")) {
    const inner = raw.slice(1, -1).trim();
    if (inner === "") return [];
    const items = inner.split(",").map((item) => item.trim());
    return items.every((item) => PLAIN_WORDS.test(item) && !KEYWORDS.has(item) && !/ {2}/.test(item))
      ? items
      : undefined;
  }
  if (KEYWORDS.has(raw)) return KEYWORDS.get(raw);
  if (SMALL_INTEGER.test(raw)) return Number(raw);
  return PLAIN_WORDS.test(raw) ? raw : undefined;
}
