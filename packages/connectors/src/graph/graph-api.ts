import type { Logger } from "pino";
import { ConnectorError } from "../errors.js";
import { readCapped } from "../toolkit/bodies/read-capped.js";
import type { ToolkitHttpClient, ToolkitResponse } from "../toolkit/http/toolkit-http-client.js";
import type {
  GraphDrive,
  GraphDriveItem,
  GraphPage,
  GraphSitePage,
  GraphSubscription,
} from "./graph-types.js";

/** Deepest chain of `@odata.nextLink`s followed for one collection; far beyond any real library. */
const MAX_PAGES = 100_000;

export interface GraphApiSettings {
  sourceId: string;
  pageSize: number;
}

/**
 * The Graph v1.0 calls of the connector, one method each. `graph` carries the app's token; `downloads`
 * carries none: content answers 302 to a pre-authenticated URL on another host (SharePoint's
 * `tempauth` URL), and the bearer token must not travel there, so redirects are followed by hand.
 */
export class GraphApi {
  constructor(
    private readonly graph: ToolkitHttpClient,
    private readonly downloads: ToolkitHttpClient,
    private readonly settings: GraphApiSettings,
    private readonly logger: Logger,
  ) {}

  /** The document libraries of a site (`GET /sites/{id}/drives`, every page). */
  async siteDrives(siteId: string, signal: AbortSignal): Promise<GraphDrive[]> {
    const drives: GraphDrive[] = [];
    let next: string | undefined = `sites/${encodeURIComponent(siteId)}/drives`;
    for (let pages = 0; next !== undefined && pages < MAX_PAGES; pages++) {
      const response: ToolkitResponse<GraphPage<GraphDrive>> = await this.graph.json(this.sameOrigin(next), {
        signal,
        allowStatuses: [404],
      });
      if (response.status === 404) throw this.notFound(`site ${siteId}`);
      drives.push(...this.values(response.data, `the drives of site ${siteId}`));
      next = response.data["@odata.nextLink"] ?? undefined;
    }
    return drives;
  }

  /** A user's OneDrive (`GET /users/{id}/drive`). */
  async userDrive(user: string, signal: AbortSignal): Promise<GraphDrive> {
    const response = await this.graph.json<GraphDrive>(`users/${encodeURIComponent(user)}/drive`, {
      signal,
      allowStatuses: [404],
    });
    if (response.status === 404) throw this.notFound(`the OneDrive of user ${user}`);
    return this.checked(response.data, `the OneDrive of user ${user}`);
  }

  /** A drive by id (`GET /drives/{id}`). */
  async drive(driveId: string, signal: AbortSignal): Promise<GraphDrive> {
    const response = await this.graph.json<GraphDrive>(`drives/${encodeURIComponent(driveId)}`, {
      signal,
      allowStatuses: [404],
    });
    if (response.status === 404) throw this.notFound(`drive ${driveId}`);
    return this.checked(response.data, `drive ${driveId}`);
  }

  /** Where a full enumeration of a drive starts: its root's delta without a token. */
  deltaStart(driveId: string): string {
    return this.graph.url(`drives/${encodeURIComponent(driveId)}/root/delta`, {
      $top: this.settings.pageSize,
    }).href;
  }

  /**
   * One page of a drive's delta: `link` is the start, a next link or a stored delta link. A 410
   * (`resyncRequired`: the token is too old or the drive was restored) is `cursor_expired`; a drive
   * that vanished is `config`; refusals are `auth` (from the HTTP client).
   */
  async deltaPage(driveId: string, link: string, signal: AbortSignal): Promise<GraphPage<GraphDriveItem>> {
    const response = await this.graph.json<GraphPage<GraphDriveItem>>(this.sameOrigin(link), {
      signal,
      allowStatuses: [404, 410],
    });
    if (response.status === 410) {
      throw new ConnectorError(
        "cursor_expired",
        `source "${this.settings.sourceId}": Graph no longer knows the delta token of drive ${driveId} (410 resyncRequired)`,
        { sourceId: this.settings.sourceId, status: 410 },
      );
    }
    if (response.status === 404) throw this.notFound(`drive ${driveId}`);
    const page = response.data;
    this.values(page, `the delta of drive ${driveId}`);
    if (!page["@odata.nextLink"] && !page["@odata.deltaLink"]) {
      throw this.badResponse(
        `a delta page of drive ${driveId} has neither @odata.nextLink nor @odata.deltaLink`,
      );
    }
    return page;
  }

  /** An item by id, or undefined when Graph answers 404 (gone, or not visible to the app: Graph cannot tell). */
  async item(driveId: string, itemId: string, signal: AbortSignal): Promise<GraphDriveItem | undefined> {
    const response = await this.graph.json<GraphDriveItem>(
      `drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}`,
      { signal, allowStatuses: [404] },
    );
    if (response.status === 404) return undefined;
    return this.checked(response.data, `item ${itemId} of drive ${driveId}`);
  }

  /**
   * A file's bytes, at most `maxBytes` (DownloadTooLargeError past it). The 302 to the download
   * host is followed without the Authorization header; a 200 from Graph itself is read as is.
   */
  async content(
    driveId: string,
    itemId: string,
    file: { name: string; maxBytes: number },
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const response = await this.graph.send(
      `drives/${encodeURIComponent(driveId)}/items/${encodeURIComponent(itemId)}/content`,
      { signal, redirect: "manual", allowStatuses: [301, 302, 303, 307, 308, 404] },
    );
    if (response.status === 404) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`${file.name} vanished from drive ${driveId} before it was read`);
    }
    if (response.ok) return readCapped(response, file.maxBytes, file.name);
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get("location");
    if (!location) throw this.badResponse(`the content of ${file.name} redirected without a Location`);
    const target = new URL(location, response.url || this.graph.url("").href);
    try {
      const download = await this.downloads.download(target.href, {
        signal,
        maxBytes: file.maxBytes,
        documentName: file.name,
      });
      return download.data;
    } catch (error) {
      // The download URL's query is a short-lived credential: keep it out of the error. A refusal
      // there is of that URL, not of the app's credentials: the next run gets a new one.
      if (error instanceof ConnectorError) {
        const kind = error.kind === "auth" ? "unavailable" : error.kind;
        throw new ConnectorError(kind, `downloading ${file.name}: ${error.message}`, {
          sourceId: this.settings.sourceId,
          url: `${target.origin}${target.pathname}`,
          ...(error.status === undefined ? {} : { status: error.status }),
        });
      }
      throw error;
    }
  }

  /** The modern pages of a site (`GET /sites/{id}/pages/microsoft.graph.sitePage`, every page), without content. */
  async *sitePages(siteId: string, signal: AbortSignal): AsyncGenerator<GraphSitePage[]> {
    let next: string | undefined = `sites/${encodeURIComponent(siteId)}/pages/microsoft.graph.sitePage`;
    for (let pages = 0; next !== undefined && pages < MAX_PAGES; pages++) {
      const response: ToolkitResponse<GraphPage<GraphSitePage>> = await this.graph.json(
        this.sameOrigin(next),
        {
          signal,
          allowStatuses: [404],
        },
      );
      if (response.status === 404) throw this.notFound(`the pages of site ${siteId}`);
      yield this.values(response.data, `the pages of site ${siteId}`);
      next = response.data["@odata.nextLink"] ?? undefined;
    }
  }

  /** One site page with its canvas (`$expand=canvasLayout`), or undefined on 404. */
  async sitePage(siteId: string, pageId: string, signal: AbortSignal): Promise<GraphSitePage | undefined> {
    const response = await this.graph.json<GraphSitePage>(
      `sites/${encodeURIComponent(siteId)}/pages/${encodeURIComponent(pageId)}/microsoft.graph.sitePage`,
      { signal, query: { $expand: "canvasLayout" }, allowStatuses: [404] },
    );
    if (response.status === 404) return undefined;
    return this.checked(response.data, `page ${pageId} of site ${siteId}`);
  }

  /** `POST /subscriptions`; not repeated on failure (a retry could create a second one). */
  async createSubscription(body: Record<string, unknown>, signal: AbortSignal): Promise<GraphSubscription> {
    const response = await this.graph.json<GraphSubscription>("subscriptions", {
      method: "POST",
      json: body,
      signal,
      idempotent: false,
    });
    return this.subscription(response.data, "the created subscription");
  }

  /** `PATCH /subscriptions/{id}` with a new expiry; undefined when Graph no longer knows it (404). */
  async renewSubscription(
    id: string,
    expirationDateTime: string,
    signal: AbortSignal,
  ): Promise<GraphSubscription | undefined> {
    const response = await this.graph.json<GraphSubscription>(`subscriptions/${encodeURIComponent(id)}`, {
      method: "PATCH",
      json: { expirationDateTime },
      signal,
      allowStatuses: [404],
    });
    if (response.status === 404) return undefined;
    return this.subscription(response.data, `subscription ${id}`);
  }

  /** `DELETE /subscriptions/{id}`; one already gone (404) is what was wanted. */
  async deleteSubscription(id: string, signal: AbortSignal): Promise<void> {
    const response = await this.graph.send(`subscriptions/${encodeURIComponent(id)}`, {
      method: "DELETE",
      signal,
      allowStatuses: [404],
    });
    await response.body?.cancel().catch(() => undefined);
    if (response.status === 404) this.logger.debug({ subscriptionId: id }, "graph subscription already gone");
  }

  /**
   * Next and delta links are absolute URLs on Graph's host. One pointing elsewhere would receive the
   * token: refuse it (a stored cursor from another `baseUrl` fails the same way).
   */
  private sameOrigin(link: string): string {
    if (!/^https?:\/\//.test(link)) return link;
    const expected = this.graph.url("").origin;
    if (new URL(link).origin !== expected) {
      throw this.badResponse(`a link points to ${new URL(link).origin}, not to ${expected}`);
    }
    return link;
  }

  private values<T>(page: GraphPage<T> | undefined, what: string): T[] {
    if (!page || !Array.isArray(page.value))
      throw this.badResponse(`${what}: the answer has no "value" array`);
    return page.value;
  }

  private checked<T extends { id?: string }>(value: T | undefined, what: string): T {
    if (!value || typeof value.id !== "string" || value.id === "")
      throw this.badResponse(`${what}: the answer has no "id"`);
    return value;
  }

  private subscription(value: GraphSubscription | undefined, what: string): GraphSubscription {
    const checked = this.checked(value, what);
    if (!checked.expirationDateTime || Number.isNaN(Date.parse(checked.expirationDateTime)))
      throw this.badResponse(`${what}: the answer has no valid "expirationDateTime"`);
    return checked;
  }

  private notFound(what: string): ConnectorError {
    return new ConnectorError(
      "config",
      `source "${this.settings.sourceId}": Graph found no ${what} (check the id, and that the app may read it)`,
      { sourceId: this.settings.sourceId, status: 404 },
    );
  }

  private badResponse(message: string): ConnectorError {
    return new ConnectorError("bad_response", `source "${this.settings.sourceId}": ${message}`, {
      sourceId: this.settings.sourceId,
    });
  }
}
