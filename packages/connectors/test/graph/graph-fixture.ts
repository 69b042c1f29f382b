import { randomUUID } from "node:crypto";
import type { GraphSubscription } from "../../src/graph/graph-types.js";
import { type FixtureReply, type FixtureRequest, FixtureServer } from "../../src/testing/index.js";

/**
 * A local Microsoft Graph v1.0 (and its token endpoint) holding drives, items and site pages, with
 * what the connector relies on:
 * - `POST /{tenant}/oauth2/v2.0/token` checks client id, secret, grant type and the `.default`
 *   scope; every `/v1.0` call needs the token it issued (401 `InvalidAuthenticationToken`);
 * - `GET /drives/{id}/root/delta` enumerates a drive (tombstones of deleted items included, as
 *   Graph may send them) or, with `?token=`, answers the items changed since, latest state once
 *   each, deleted ones with the `deleted` facet; pages of `$top` linked by `@odata.nextLink`, the
 *   last one with `@odata.deltaLink`. Delta answers leave `parentReference.path` out, as Graph does.
 *   `expireTokens(drive)` makes older tokens answer 410 `resyncRequired`;
 * - `GET /drives/{id}/items/{id}` (with `parentReference.path`), 404 for deleted items;
 * - `GET …/content` answers 302 to the second server, `downloads`, which refuses any request
 *   carrying an Authorization header and any without the `tempauth` it handed out;
 * - `forbid(drive)` answers 403 `accessDenied` on everything under that drive;
 * - `/subscriptions` create (validated), renew (PATCH), delete; site pages with `$expand=canvasLayout`.
 */

const TENANT = "contoso.onmicrosoft.com";
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
/** Graph refuses drive item subscriptions longer than 42,300 minutes. */
const MAX_SUBSCRIPTION_MS = 42_300 * 60_000;

interface FixtureItem {
  id: string;
  name: string;
  parentId: string | undefined;
  kind: "root" | "folder" | "file";
  content: Uint8Array;
  mimeType: string;
  contentVersion: number;
  metaVersion: number;
  modified: string;
  author: string;
  deleted: boolean;
  /** The drive's change sequence when this item last changed. */
  changed: number;
}

interface FixtureDrive {
  id: string;
  name: string;
  site: string | undefined;
  user: string | undefined;
  items: Map<string, FixtureItem>;
  rootId: string;
  seq: number;
  /** Tokens of a sequence below this answer 410. */
  validFrom: number;
  forbidden: boolean;
}

export interface FixtureSitePage {
  id: string;
  name: string;
  title: string;
  html: string[];
  version: number;
  modified: string;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const unb64 = <T>(value: string): T | undefined => {
  try {
    return JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as T;
  } catch {
    return undefined;
  }
};

const graphError = (
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): FixtureReply => ({
  status,
  json: {
    error: { code, message, innerError: { "request-id": randomUUID(), date: new Date().toISOString() } },
  },
  ...(headers ? { headers } : {}),
});

export class GraphFixture {
  static readonly tenant = TENANT;
  static readonly clientId = CLIENT_ID;
  readonly drives = new Map<string, FixtureDrive>();
  readonly sitePages = new Map<string, FixtureSitePage[]>();
  readonly subscriptions = new Map<string, GraphSubscription & Record<string, unknown>>();
  /** Drives whose subscriptions Graph refuses (403: the app lacks the permission on them). */
  readonly refuseSubscriptions = new Set<string>();
  /** Tokens issued by the token endpoint. */
  readonly issued: string[] = [];
  /** Clock of `lastModifiedDateTime`s. */
  now = new Date("2026-11-02T09:00:00Z");
  private readonly tempauth = new Map<string, { drive: string; item: string }>();

  private constructor(
    readonly api: FixtureServer,
    readonly downloads: FixtureServer,
    private readonly clientSecret: string,
  ) {}

  static async start(clientSecret: string): Promise<GraphFixture> {
    const fixture = new GraphFixture(await FixtureServer.start(), await FixtureServer.start(), clientSecret);
    fixture.routes();
    return fixture;
  }

  get baseUrl(): string {
    return `${this.api.url}/v1.0`;
  }

  get tokenUrl(): string {
    return `${this.api.url}/${TENANT}/oauth2/v2.0/token`;
  }

  async close(): Promise<void> {
    await this.api.close();
    await this.downloads.close();
  }

  // ── building the content ──────────────────────────────────────────────────────────────────────

  addDrive(name: string, owner: { site?: string; user?: string } = {}): string {
    const id = `b!${randomUUID().replace(/-/g, "")}`;
    const rootId = this.newItemId();
    const drive: FixtureDrive = {
      id,
      name,
      site: owner.site,
      user: owner.user,
      items: new Map(),
      rootId,
      seq: 1,
      validFrom: 0,
      forbidden: false,
    };
    drive.items.set(
      rootId,
      this.item(drive, { id: rootId, name: "root", parentId: undefined, kind: "root" }),
    );
    this.drives.set(id, drive);
    return id;
  }

  /** Adds a file at `path` (folders created as needed); returns its item id. */
  addFile(driveId: string, path: string, content: string | Uint8Array, mimeType?: string): string {
    const drive = this.drive(driveId);
    const segments = path.split("/");
    const name = segments.pop() ?? path;
    const parentId = this.folderId(drive, segments);
    const id = this.newItemId();
    drive.items.set(
      id,
      this.item(drive, {
        id,
        name,
        parentId,
        kind: "file",
        content: typeof content === "string" ? new TextEncoder().encode(content) : content,
        mimeType: mimeType ?? "application/octet-stream",
      }),
    );
    return id;
  }

  editFile(driveId: string, itemId: string, content: string | Uint8Array): void {
    const item = this.live(driveId, itemId);
    item.content = typeof content === "string" ? new TextEncoder().encode(content) : content;
    item.contentVersion++;
    item.metaVersion++;
    this.touch(this.drive(driveId), item);
  }

  /** Renames or moves an item (folders created as needed): content tag unchanged, eTag changes. */
  moveItem(driveId: string, itemId: string, newPath: string): void {
    const drive = this.drive(driveId);
    const item = this.live(driveId, itemId);
    const segments = newPath.split("/");
    item.name = segments.pop() ?? newPath;
    item.parentId = this.folderId(drive, segments);
    item.metaVersion++;
    this.touch(drive, item);
  }

  /** Deletes an item; a folder takes its descendants with it, each with a tombstone in the delta. */
  deleteItem(driveId: string, itemId: string): void {
    const drive = this.drive(driveId);
    const item = this.live(driveId, itemId);
    for (const child of drive.items.values())
      if (child.parentId === itemId && !child.deleted) this.deleteItem(driveId, child.id);
    item.deleted = true;
    this.touch(drive, item);
  }

  itemIdOf(driveId: string, path: string): string {
    const drive = this.drive(driveId);
    for (const item of drive.items.values())
      if (!item.deleted && this.pathOf(drive, item) === path) return item.id;
    throw new Error(`no item at ${path}`);
  }

  /** Every token issued so far for this drive answers 410 `resyncRequired`. */
  expireTokens(driveId: string): void {
    const drive = this.drive(driveId);
    drive.seq++;
    drive.validFrom = drive.seq;
  }

  /** Everything under the drive answers 403 (the app lost its grant on that library). */
  forbid(driveId: string, forbidden = true): void {
    this.drive(driveId).forbidden = forbidden;
  }

  addSitePage(site: string, page: { name: string; title: string; html: string[] }): string {
    const id = randomUUID();
    const pages = this.sitePages.get(site) ?? [];
    pages.push({ id, ...page, version: 1, modified: this.tick() });
    this.sitePages.set(site, pages);
    return id;
  }

  editSitePage(site: string, id: string, html: string[]): void {
    const page = this.sitePages.get(site)?.find((candidate) => candidate.id === id);
    if (!page) throw new Error(`no site page ${id}`);
    page.html = html;
    page.version++;
    page.modified = this.tick();
  }

  // ── Graph's answers ───────────────────────────────────────────────────────────────────────────

  /** A drive item as Graph answers it; `withPath` false for delta answers (Graph leaves it out there). */
  driveItem(driveId: string, itemId: string, withPath = true): Record<string, unknown> {
    const drive = this.drive(driveId);
    const item = drive.items.get(itemId);
    if (!item) throw new Error(`no item ${itemId}`);
    return this.itemJson(drive, item, withPath);
  }

  driveJson(driveId: string): Record<string, unknown> {
    const drive = this.drive(driveId);
    return {
      id: drive.id,
      name: drive.name,
      driveType: drive.user ? "business" : "documentLibrary",
      webUrl: `https://contoso.sharepoint.com/${drive.user ? `personal/${drive.user}` : `sites/${drive.site}`}/${encodeURIComponent(drive.name)}`,
      createdDateTime: "2026-01-05T08:00:00Z",
      lastModifiedDateTime: this.now.toISOString(),
      owner: { user: { displayName: drive.user ?? "System Account" } },
    };
  }

  sitePageJson(site: string, page: FixtureSitePage, expand: boolean): Record<string, unknown> {
    return {
      "@odata.type": "#microsoft.graph.sitePage",
      id: page.id,
      name: page.name,
      title: page.title,
      eTag: `"{${page.id.toUpperCase()}},${page.version}"`,
      webUrl: `https://contoso.sharepoint.com/sites/${site}/SitePages/${page.name}`,
      pageLayout: "article",
      createdDateTime: "2026-01-05T08:00:00Z",
      lastModifiedDateTime: page.modified,
      lastModifiedBy: { user: { displayName: "Adele Vance", email: "adele@contoso.com" } },
      publishingState: { level: "published", versionId: `${page.version}.0` },
      ...(expand
        ? {
            canvasLayout: {
              horizontalSections: [
                {
                  id: "1",
                  layout: "oneColumn",
                  emphasis: "none",
                  columns: [
                    {
                      id: "1",
                      width: 12,
                      webparts: page.html.map((innerHtml, index) => ({
                        "@odata.type": "#microsoft.graph.textWebPart",
                        id: `${page.id}-${index}`,
                        innerHtml,
                      })),
                    },
                  ],
                },
              ],
            },
          }
        : {}),
    };
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────

  private routes(): void {
    const { api } = this;
    api.requireAuth(
      (request) =>
        request.path.endsWith("/oauth2/v2.0/token") ||
        this.issued.some((token) => request.headers.authorization === `Bearer ${token}`),
      graphError(401, "InvalidAuthenticationToken", "Access token is empty or invalid."),
    );
    api.route("POST", `/${TENANT}/oauth2/v2.0/token`, (request) => this.token(request));
    api.route("GET", "/v1.0/sites/:site/drives", (request) => {
      const drives = [...this.drives.values()].filter((drive) => drive.site === request.params.site);
      if (drives.length === 0) return graphError(404, "itemNotFound", "Requested site could not be found");
      return { json: { value: drives.map((drive) => this.driveJson(drive.id)) } };
    });
    api.route("GET", "/v1.0/users/:user/drive", (request) => {
      const drive = [...this.drives.values()].find((candidate) => candidate.user === request.params.user);
      return drive ? { json: this.driveJson(drive.id) } : graphError(404, "itemNotFound", "User not found");
    });
    api.route("GET", "/v1.0/drives/:drive", (request) =>
      this.onDrive(request, (drive) => ({ json: this.driveJson(drive.id) })),
    );
    api.route("GET", "/v1.0/drives/:drive/root/delta", (request) =>
      this.onDrive(request, (drive) => this.delta(drive, request)),
    );
    api.route("GET", "/v1.0/drives/:drive/items/:item", (request) =>
      this.onDrive(request, (drive) => {
        const item = drive.items.get(request.params.item ?? "");
        if (!item || item.deleted) return graphError(404, "itemNotFound", "The resource could not be found.");
        return { json: this.itemJson(drive, item, true) };
      }),
    );
    api.route("GET", "/v1.0/drives/:drive/items/:item/content", (request) =>
      this.onDrive(request, (drive) => {
        const item = drive.items.get(request.params.item ?? "");
        if (!item || item.deleted || item.kind !== "file")
          return graphError(404, "itemNotFound", "The resource could not be found.");
        const tempauth = randomUUID();
        this.tempauth.set(tempauth, { drive: drive.id, item: item.id });
        return {
          status: 302,
          headers: {
            location: `${this.downloads.url}/_layouts/15/download.aspx?UniqueId=${item.id}&tempauth=${tempauth}`,
          },
        };
      }),
    );
    api.route("GET", "/v1.0/sites/:site/pages/microsoft.graph.sitePage", (request) => {
      const pages = this.sitePages.get(request.params.site ?? "");
      if (!pages) return graphError(404, "itemNotFound", "Requested site could not be found");
      const offset = Number(request.query.get("$skiptoken") ?? 0);
      const size = 2;
      const next = offset + size < pages.length ? offset + size : undefined;
      return {
        json: {
          "@odata.context": `${this.baseUrl}/$metadata#sites('${request.params.site}')/pages/microsoft.graph.sitePage`,
          value: pages
            .slice(offset, offset + size)
            .map((page) => this.sitePageJson(request.params.site ?? "", page, false)),
          ...(next === undefined
            ? {}
            : {
                "@odata.nextLink": `${this.baseUrl}/sites/${request.params.site}/pages/microsoft.graph.sitePage?$skiptoken=${next}`,
              }),
        },
      };
    });
    api.route("GET", "/v1.0/sites/:site/pages/:page/microsoft.graph.sitePage", (request) => {
      const site = request.params.site ?? "";
      const page = this.sitePages.get(site)?.find((candidate) => candidate.id === request.params.page);
      if (!page) return graphError(404, "itemNotFound", "The page could not be found.");
      return { json: this.sitePageJson(site, page, request.query.get("$expand") === "canvasLayout") };
    });
    api.route("POST", "/v1.0/subscriptions", (request) => this.createSubscription(request));
    api.route("PATCH", "/v1.0/subscriptions/:id", (request) => {
      const subscription = this.subscriptions.get(request.params.id ?? "");
      if (!subscription) return graphError(404, "ResourceNotFound", "The object was not found.");
      const body = JSON.parse(request.body) as { expirationDateTime?: string };
      const invalid = this.invalidExpiry(body.expirationDateTime);
      if (invalid) return invalid;
      subscription.expirationDateTime = body.expirationDateTime ?? null;
      return { json: subscription };
    });
    api.route("DELETE", "/v1.0/subscriptions/:id", (request) =>
      this.subscriptions.delete(request.params.id ?? "")
        ? { status: 204 }
        : graphError(404, "ResourceNotFound", "The object was not found."),
    );

    this.downloads.requireAuth((request) => request.headers.authorization === undefined, {
      status: 401,
      body: "403 FORBIDDEN: a pre-authenticated URL takes no Authorization header",
    });
    this.downloads.route("GET", "/_layouts/15/download.aspx", (request) => {
      const grant = this.tempauth.get(request.query.get("tempauth") ?? "");
      if (!grant || grant.item !== request.query.get("UniqueId"))
        return { status: 401, body: "invalid tempauth" };
      const item = this.drive(grant.drive).items.get(grant.item);
      if (!item || item.deleted) return { status: 404, body: "gone" };
      return {
        headers: { "content-type": item.mimeType, "content-length": String(item.content.byteLength) },
        body: item.content,
      };
    });
  }

  private token(request: FixtureRequest): FixtureReply {
    const form = new URLSearchParams(request.body);
    if (form.get("grant_type") !== "client_credentials")
      return { status: 400, json: { error: "unsupported_grant_type" } };
    if (form.get("client_id") !== CLIENT_ID || form.get("client_secret") !== this.clientSecret)
      return {
        status: 401,
        json: { error: "invalid_client", error_description: "AADSTS7000215: Invalid client secret." },
      };
    if (form.get("scope") !== "https://graph.microsoft.com/.default")
      return { status: 400, json: { error: "invalid_scope" } };
    const token = `eyJ0eXAiOiJKV1Qi.${randomUUID()}`;
    this.issued.push(token);
    return { json: { token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599, access_token: token } };
  }

  private onDrive(request: FixtureRequest, answer: (drive: FixtureDrive) => FixtureReply): FixtureReply {
    const drive = this.drives.get(request.params.drive ?? "");
    if (!drive) return graphError(404, "itemNotFound", "The resource could not be found.");
    if (drive.forbidden) return graphError(403, "accessDenied", "Access denied");
    return answer(drive);
  }

  private delta(drive: FixtureDrive, request: FixtureRequest): FixtureReply {
    const skip = request.query.get("$skiptoken");
    let state: { since: number; upTo: number; offset: number; top: number } | undefined;
    if (skip) {
      state = unb64(skip);
      if (!state) return graphError(400, "invalidRequest", "Invalid skip token");
    } else {
      const token = request.query.get("token");
      const since = token ? unb64<{ seq: number }>(token)?.seq : 0;
      if (since === undefined) return graphError(400, "invalidRequest", "Invalid delta token");
      if (token && since < drive.validFrom) {
        return graphError(
          410,
          "resyncRequired",
          "Resync required. Replace any local items with the server's version.",
          {
            location: `${this.baseUrl}/drives/${drive.id}/root/delta`,
          },
        );
      }
      state = { since, upTo: drive.seq, offset: 0, top: Number(request.query.get("$top") ?? 200) };
    }
    const { since, upTo, offset, top } = state;
    const changed = [...drive.items.values()]
      .filter((item) => (since === 0 ? true : item.changed > since && item.changed <= upTo))
      .sort((a, b) => this.depth(drive, a) - this.depth(drive, b) || a.changed - b.changed);
    const page = changed.slice(offset, offset + top);
    const done = offset + top >= changed.length;
    return {
      json: {
        "@odata.context": `${this.baseUrl}/$metadata#Collection(driveItem)`,
        value: page.map((item) => this.itemJson(drive, item, false)),
        ...(done
          ? {
              "@odata.deltaLink": `${this.baseUrl}/drives/${drive.id}/root/delta?token=${b64({ seq: upTo })}`,
            }
          : {
              "@odata.nextLink": `${this.baseUrl}/drives/${drive.id}/root/delta?$skiptoken=${b64({ since, upTo, offset: offset + top, top })}`,
            }),
      },
    };
  }

  private createSubscription(request: FixtureRequest): FixtureReply {
    const body = JSON.parse(request.body) as Record<string, string | undefined>;
    const resource = /^\/drives\/([^/]+)\/root$/.exec(body.resource ?? "");
    if (body.changeType !== "updated")
      return graphError(400, "ExtensionError", "Only the 'updated' changeType is supported for driveItem.");
    if (!resource?.[1] || !this.drives.has(resource[1]))
      return graphError(400, "InvalidRequest", `Resource '${body.resource}' is not supported.`);
    if (this.refuseSubscriptions.has(resource[1]))
      return graphError(403, "ExtensionError", "Operation: Create; Exception: [Status Code: Forbidden]");
    if (!body.notificationUrl?.startsWith("https://"))
      return graphError(400, "ValidationError", "NotificationUrl must be https.");
    if (!body.clientState || body.clientState.length > 128)
      return graphError(400, "ValidationError", "clientState must be 1 to 128 characters.");
    const invalid = this.invalidExpiry(body.expirationDateTime);
    if (invalid) return invalid;
    const subscription = {
      "@odata.context": `${this.baseUrl}/$metadata#subscriptions/$entity`,
      id: randomUUID(),
      resource: body.resource ?? null,
      applicationId: CLIENT_ID,
      changeType: "updated",
      clientState: body.clientState ?? null,
      notificationUrl: body.notificationUrl ?? null,
      expirationDateTime: body.expirationDateTime ?? null,
      creatorId: randomUUID(),
      latestSupportedTlsVersion: "v1_2",
      notificationUrlAppId: null,
      includeResourceData: null,
      encryptionCertificate: null,
      encryptionCertificateId: null,
      lifecycleNotificationUrl: null,
      notificationQueryOptions: null,
    };
    this.subscriptions.set(subscription.id, subscription);
    return { status: 201, json: subscription };
  }

  private invalidExpiry(value: string | undefined): FixtureReply | undefined {
    const at = value ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(at) || at <= Date.now() || at > Date.now() + MAX_SUBSCRIPTION_MS)
      return graphError(
        400,
        "InvalidRequest",
        "Subscription expiration can only be 42300 minutes in the future.",
      );
    return undefined;
  }

  private itemJson(drive: FixtureDrive, item: FixtureItem, withPath: boolean): Record<string, unknown> {
    const parent = item.parentId ? drive.items.get(item.parentId) : undefined;
    const path = parent ? this.pathOf(drive, parent) : undefined;
    const base = {
      id: item.id,
      name: item.name,
      eTag: `"{${item.id}},${item.metaVersion}"`,
      cTag: `"c:{${item.id}},${item.contentVersion}"`,
      createdDateTime: "2026-01-05T08:00:00Z",
      lastModifiedDateTime: item.modified,
      lastModifiedBy: { user: { displayName: item.author, id: "48d31887-5fad-4d73-a9f5-3c356e68a038" } },
      webUrl: `https://contoso.sharepoint.com/sites/${drive.site ?? "personal"}/${encodeURIComponent(drive.name)}/${this.pathOf(
        drive,
        item,
      )
        .split("/")
        .map(encodeURIComponent)
        .join("/")}`,
      fileSystemInfo: { createdDateTime: "2026-01-05T08:00:00Z", lastModifiedDateTime: item.modified },
      ...(parent
        ? {
            parentReference: {
              driveType: drive.user ? "business" : "documentLibrary",
              driveId: drive.id,
              id: parent.id,
              ...(withPath
                ? {
                    path: `/drives/${drive.id}/root:${path ? `/${path.split("/").map(encodeURIComponent).join("/")}` : ""}`,
                  }
                : {}),
            },
          }
        : {}),
    };
    if (item.deleted) {
      // Graph's tombstones name the item and little else.
      const { id, name, parentReference } = base as typeof base & { parentReference?: unknown };
      return { id, name, ...(parentReference ? { parentReference } : {}), deleted: { state: "deleted" } };
    }
    if (item.kind === "root")
      return { ...base, name: "root", root: {}, folder: { childCount: this.children(drive, item) } };
    if (item.kind === "folder") return { ...base, folder: { childCount: this.children(drive, item) } };
    return {
      ...base,
      size: item.content.byteLength,
      file: { mimeType: item.mimeType, hashes: { quickXorHash: Buffer.from(item.id).toString("base64") } },
    };
  }

  private children(drive: FixtureDrive, folder: FixtureItem): number {
    return [...drive.items.values()].filter((item) => item.parentId === folder.id && !item.deleted).length;
  }

  private pathOf(drive: FixtureDrive, item: FixtureItem): string {
    const names: string[] = [];
    for (
      let at: FixtureItem | undefined = item;
      at && at.kind !== "root";
      at = at.parentId ? drive.items.get(at.parentId) : undefined
    )
      names.unshift(at.name);
    return names.join("/");
  }

  private depth(drive: FixtureDrive, item: FixtureItem): number {
    let depth = 0;
    for (let at = item; at.parentId; depth++) {
      const parent = drive.items.get(at.parentId);
      if (!parent) break;
      at = parent;
    }
    return depth;
  }

  private folderId(drive: FixtureDrive, segments: string[]): string {
    let parentId = drive.rootId;
    for (const name of segments) {
      const existing = [...drive.items.values()].find(
        (item) => item.parentId === parentId && item.name === name && item.kind === "folder" && !item.deleted,
      );
      if (existing) {
        parentId = existing.id;
        continue;
      }
      const id = this.newItemId();
      drive.items.set(id, this.item(drive, { id, name, parentId, kind: "folder" }));
      parentId = id;
    }
    return parentId;
  }

  private item(
    drive: FixtureDrive,
    fields: Pick<FixtureItem, "id" | "name" | "parentId" | "kind"> & Partial<FixtureItem>,
  ): FixtureItem {
    drive.seq++;
    return {
      content: new Uint8Array(),
      mimeType: "",
      contentVersion: 1,
      metaVersion: 1,
      modified: this.tick(),
      author: "Megan Bowen",
      deleted: false,
      changed: drive.seq,
      ...fields,
    };
  }

  private touch(drive: FixtureDrive, item: FixtureItem): void {
    drive.seq++;
    item.changed = drive.seq;
    item.modified = this.tick();
  }

  private tick(): string {
    this.now = new Date(this.now.getTime() + 60_000);
    return this.now.toISOString();
  }

  private live(driveId: string, itemId: string): FixtureItem {
    const item = this.drive(driveId).items.get(itemId);
    if (!item || item.deleted) throw new Error(`no live item ${itemId}`);
    return item;
  }

  private drive(id: string): FixtureDrive {
    const drive = this.drives.get(id);
    if (!drive) throw new Error(`no drive ${id}`);
    return drive;
  }

  private newItemId(): string {
    return `01${randomUUID().replace(/-/g, "").slice(0, 24).toUpperCase()}`;
  }
}
