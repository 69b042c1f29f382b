import { ConnectorError } from "../errors.js";
import type { ToolkitHttpClient } from "../toolkit/http/toolkit-http-client.js";

/** One member of a collection as PROPFIND describes it. */
export interface DavEntry {
  /** Path relative to the source root, decoded, without leading or trailing slash. */
  path: string;
  /** Absolute URL of the resource. */
  href: string;
  collection: boolean;
  etag?: string;
  lastModified?: Date;
  size?: number;
  contentType?: string;
  /** Nextcloud / ownCloud `oc:fileid`: stable across renames and moves. */
  fileId?: string;
}

const PROPFIND_BODY = `<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns">
  <d:prop>
    <d:resourcetype/><d:getetag/><d:getlastmodified/><d:getcontentlength/><d:getcontenttype/><oc:fileid/>
  </d:prop>
</d:propfind>`;

type Xml = Record<string, unknown>;
const asObject = (value: unknown): Xml | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Xml) : undefined;
const asArray = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined ? [] : [value];
const textOf = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  const text = asObject(value)?.["#text"];
  return typeof text === "string" ? text : undefined;
};

/**
 * PROPFIND `Depth: 1` on one collection at a time: servers (Nextcloud, IIS, Apache by default) refuse
 * `Depth: infinity`, and a collection per request keeps each answer small.
 */
export class WebdavClient {
  private readonly root: URL;

  constructor(
    private readonly http: ToolkitHttpClient,
    rootUrl: string,
    private readonly sourceId: string,
  ) {
    this.root = new URL(rootUrl.endsWith("/") ? rootUrl : `${rootUrl}/`);
  }

  /** The URL of a path relative to the root, each segment encoded on its own. */
  urlOf(path: string, collection = false): URL {
    const encoded = path === "" ? "" : path.split("/").map(encodeURIComponent).join("/");
    return new URL(`${encoded}${collection && encoded !== "" ? "/" : ""}`, this.root);
  }

  /** Members of a collection (the collection itself left out), or of one file with `depth` 0. */
  async propfind(
    path: string,
    depth: "0" | "1",
    signal: AbortSignal,
    collection = true,
  ): Promise<DavEntry[]> {
    const url = this.urlOf(path, collection);
    const response = await this.http.xml<Xml>(url.href, {
      method: "PROPFIND",
      headers: { depth, "content-type": "application/xml; charset=utf-8" },
      body: PROPFIND_BODY,
      signal,
      allowStatuses: [404],
      xml: { alwaysArray: ["response", "propstat"] },
    });
    if (response.status === 404) return [];
    const responses = asObject(response.data?.multistatus)?.response;
    if (response.status !== 207 || !Array.isArray(responses)) {
      throw new ConnectorError(
        "bad_response",
        `source "${this.sourceId}": PROPFIND ${url.pathname} did not answer a 207 multistatus (got ${response.status})`,
        { sourceId: this.sourceId, status: response.status },
      );
    }
    const self = this.relative(url);
    return responses
      .map((entry) => this.entry(asObject(entry)))
      .filter((entry): entry is DavEntry => entry !== undefined && (depth === "0" || entry.path !== self));
  }

  /** A 404 resolves to undefined (the file is gone or moved); the body is streamed for readCapped. */
  async get(path: string, signal: AbortSignal): Promise<Response | undefined> {
    const response = await this.http.send(this.urlOf(path).href, { signal, allowStatuses: [404, 410] });
    if (response.ok) return response;
    await response.body?.cancel().catch(() => undefined);
    return undefined;
  }

  private relative(url: URL): string {
    const rootPath = decodeURIComponent(this.root.pathname);
    const path = decodeURIComponent(url.pathname);
    return (path.startsWith(rootPath) ? path.slice(rootPath.length) : path).replace(/^\/+|\/+$/g, "");
  }

  private entry(response: Xml | undefined): DavEntry | undefined {
    const href = textOf(response?.href);
    if (!response || !href) return undefined;
    // Only the propstat with a 200 holds values; 404 propstats list what the server lacks (oc:fileid on Apache).
    const prop: Xml = {};
    for (const propstat of asArray(response.propstat)) {
      const stat = asObject(propstat);
      if (!/\s200\s/.test(`${textOf(stat?.status) ?? ""} `)) continue;
      Object.assign(prop, asObject(stat?.prop) ?? {});
    }
    const url = new URL(href, this.root);
    const resourcetype = asObject(prop.resourcetype);
    const size = Number(textOf(prop.getcontentlength));
    const modified = textOf(prop.getlastmodified);
    const lastModified = modified ? new Date(modified) : undefined;
    const etag = textOf(prop.getetag);
    const contentType = textOf(prop.getcontenttype);
    const fileId = textOf(prop.fileid);
    return {
      path: this.relative(url),
      href: url.href,
      collection: resourcetype !== undefined && "collection" in resourcetype,
      ...(etag ? { etag } : {}),
      ...(lastModified && !Number.isNaN(lastModified.getTime()) ? { lastModified } : {}),
      ...(Number.isFinite(size) && textOf(prop.getcontentlength) !== undefined ? { size } : {}),
      ...(contentType ? { contentType } : {}),
      ...(fileId ? { fileId } : {}),
    };
  }
}
