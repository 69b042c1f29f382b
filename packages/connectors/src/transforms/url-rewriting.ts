/**
 * Query parameters that only identify a campaign or a click. They are stripped from links and images:
 * Fin gains nothing from them, and a new campaign tag would otherwise change the page's content hash
 * and force a needless re-upload.
 */
const TRACKING_PARAMS = new Set([
  "fbclid",
  "gclid",
  "dclid",
  "gbraid",
  "wbraid",
  "msclkid",
  "yclid",
  "igshid",
  "mc_cid",
  "mc_eid",
  "_hsenc",
  "_hsmi",
  "_ga",
  "_gl",
]);

const isTrackingParam = (name: string): boolean =>
  /^utm_/i.test(name) || TRACKING_PARAMS.has(name.toLowerCase());

/** Schemes a reader can follow. javascript:, vbscript:, data: and file: links are dropped. */
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:", "tel:"]);
/** Images must be fetchable by Fin's renderer: no data: (bloats the page) and no local files. */
const RESOURCE_PROTOCOLS = new Set(["http:", "https:"]);

export type UrlRole = "link" | "resource";

export interface UrlRewriter {
  /** The absolute, cleaned URL; undefined when the URL must be dropped. */
  rewrite(raw: string, role: UrlRole): string | undefined;
  /** Rewrites every candidate of a `srcset`; undefined when none survives. */
  rewriteSrcset(raw: string): string | undefined;
  /** True once a relative URL had to be kept relative because no base URL was known. */
  readonly leftRelative: boolean;
}

/**
 * Resolves URLs against the document's base (its URL, or a `<base href>` resolved against it) and
 * strips tracking parameters. Fragment-only links (`#section`) stay as they are: they point inside
 * the page itself.
 */
export function createUrlRewriter(base: string | undefined): UrlRewriter {
  let leftRelative = false;
  const rewrite = (raw: string, role: UrlRole): string | undefined => {
    // Browsers ignore leading/trailing whitespace and embedded tabs/newlines in URLs; so does URL().
    const value = raw.trim();
    if (value === "" || value === "#") return undefined;
    if (value.startsWith("#")) return role === "link" ? value : undefined;
    let url: URL;
    try {
      url = new URL(value, base);
    } catch {
      if (/^[a-z][a-z0-9+.-]*:/i.test(value.replace(/[\t\n\r]/g, ""))) return undefined;
      // Relative and no base to resolve against: keep it (it may still work where the page is shown).
      leftRelative = true;
      return stripTrackingFromRelative(value);
    }
    const allowed = role === "link" ? LINK_PROTOCOLS : RESOURCE_PROTOCOLS;
    if (!allowed.has(url.protocol)) return undefined;
    if (url.search !== "") url.search = filterQuery(url.search.slice(1));
    return url.href;
  };
  return {
    rewrite,
    rewriteSrcset(raw) {
      const candidates = raw
        .split(/,\s+/)
        .map((candidate) => candidate.trim())
        .filter((candidate) => candidate !== "")
        .flatMap((candidate) => {
          const [address = "", ...descriptors] = candidate.split(/\s+/);
          const rewritten = rewrite(address.replace(/,$/, ""), "resource");
          return rewritten === undefined ? [] : [[rewritten, ...descriptors].join(" ")];
        });
      return candidates.length === 0 ? undefined : candidates.join(", ");
    },
    get leftRelative() {
      return leftRelative;
    },
  };
}

/** Drops tracking parameters while leaving every other parameter byte-for-byte as it was. */
function filterQuery(query: string): string {
  const kept = query.split("&").filter((pair) => {
    if (pair === "") return false;
    const name = pair.split("=")[0] ?? "";
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replace(/\+/g, " "));
    } catch {
      // A malformed escape is not a tracking parameter name; keep the pair untouched.
    }
    return !isTrackingParam(decoded);
  });
  return kept.length === 0 ? "" : `?${kept.join("&")}`;
}

function stripTrackingFromRelative(value: string): string {
  const match = /^([^?#]*)\?([^#]*)(#.*)?$/.exec(value);
  if (match === null) return value;
  return `${match[1] ?? ""}${filterQuery(match[2] ?? "")}${match[3] ?? ""}`;
}
