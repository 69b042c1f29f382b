import { createHash, generateKeyPairSync, type KeyObject, randomUUID, verify } from "node:crypto";
import { type FixtureReply, type FixtureRequest, FixtureServer } from "../../src/testing/index.js";

export const FOLDER = "application/vnd.google-apps.folder";
export const GOOGLE_DOC = "application/vnd.google-apps.document";
export const GOOGLE_SHEET = "application/vnd.google-apps.spreadsheet";
export const DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.readonly";

/** A file as the fixture keeps it; answers are built from it as Drive's `File` resource. */
interface StoredFile {
  id: string;
  name: string;
  mimeType: string;
  parent: string | undefined;
  driveId: string | undefined;
  trashed: boolean;
  version: number;
  modifiedTime: string;
  /** Bytes of a binary file; undefined for folders and Google Workspace files. */
  content?: Uint8Array;
  /** The HTML a Google Doc exports as. */
  html?: string;
  /** A Google Doc Drive refuses to export (over its 10 MB limit). */
  exportTooLarge?: boolean;
  editor: string;
}

interface LoggedChange {
  seq: number;
  fileId: string;
  driveId: string | undefined;
  removed: boolean;
}

interface WatchedChannel {
  id: string;
  resourceId: string;
  address: string;
  token: string;
  expiration: string;
  pageToken: string;
  driveId: string | undefined;
}

/** Google's error body: `{ error: { code, message, errors: [{ domain, reason, message }] } }`. */
export function driveError(status: number, reason: string, message = reason): FixtureReply {
  return {
    status,
    json: { error: { code: status, message, errors: [{ domain: "global", reason, message }] } },
  };
}

/**
 * The fields a partial response keeps: `nextPageToken,files(id,name,lastModifyingUser(displayName))`
 * as a tree (`true` for a leaf), so answers carry only what the connector asked for, as Drive's do.
 */
export function parseFields(fields: string): Map<string, Map<string, unknown> | true> {
  const root = new Map<string, Map<string, unknown> | true>();
  const stack: Map<string, unknown>[] = [root as Map<string, unknown>];
  let name = "";
  const flush = () => {
    if (name.trim()) stack.at(-1)?.set(name.trim(), true);
    name = "";
  };
  for (const char of fields) {
    if (char === ",") flush();
    else if (char === "(") {
      const child = new Map<string, unknown>();
      stack.at(-1)?.set(name.trim(), child);
      stack.push(child);
      name = "";
    } else if (char === ")") {
      flush();
      stack.pop();
    } else name += char;
  }
  flush();
  return root;
}

function pick(value: unknown, fields: Map<string, unknown> | true | undefined): unknown {
  if (fields === undefined || fields === true || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => pick(item, fields));
  const out: Record<string, unknown> = {};
  for (const [key, sub] of fields) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = pick(item, sub as Map<string, unknown> | true);
  }
  return out;
}

/**
 * A local Google Drive API v3 for the connector's tests: shared drives, My Drive, folders, binary
 * files and Google Docs (HTML export), a change log with page tokens, `changes.watch` and
 * `channels.stop`, and Google's token endpoint verifying the service account's RS256 JWT assertion
 * with the key's public half. Every API route needs a token the endpoint issued.
 */
export class DriveFixture {
  readonly files = new Map<string, StoredFile>();
  readonly drives = new Set<string>();
  readonly channels = new Map<string, WatchedChannel>();
  /** Claims of every assertion the token endpoint accepted. */
  readonly assertions: Record<string, unknown>[] = [];
  /** Every JSON answer of the API with the discovery schema it stands for, for the contract test. */
  readonly answers: { schema: string; body: unknown }[] = [];
  /** Drives whose requests Drive refuses (the service account was removed from them). */
  readonly refused = new Set<string>();
  readonly myDriveRoot = "myDriveRoot01";
  readonly serviceAccountKey: string;
  private readonly changes: LoggedChange[] = [];
  private readonly issued = new Set<string>();
  private seq = 0;
  private ids = 0;
  private clock = Date.parse("2026-01-05T09:00:00.000Z");

  private constructor(
    readonly api: FixtureServer,
    private readonly publicKey: KeyObject,
    privateKeyPem: string,
    readonly clientEmail: string,
  ) {
    this.serviceAccountKey = JSON.stringify({
      type: "service_account",
      client_email: clientEmail,
      private_key: privateKeyPem,
      token_uri: `${api.url}/token`,
    });
    this.files.set(this.myDriveRoot, {
      id: this.myDriveRoot,
      name: "My Drive",
      mimeType: FOLDER,
      parent: undefined,
      driveId: undefined,
      trashed: false,
      version: 1,
      modifiedTime: this.now(),
      editor: "Sync Bot",
    });
    this.routes();
  }

  static async start(clientEmail = "content-sync@acme-sync.iam.gserviceaccount.com"): Promise<DriveFixture> {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    return new DriveFixture(await FixtureServer.start(), publicKey, pem, clientEmail);
  }

  get url(): string {
    return this.api.url;
  }

  get tokenUrl(): string {
    return `${this.api.url}/token`;
  }

  close(): Promise<void> {
    return this.api.close();
  }

  addDrive(id: string): string {
    this.drives.add(id);
    return id;
  }

  addFolder(name: string, parent: string = this.myDriveRoot): string {
    return this.add({ name, mimeType: FOLDER, parent });
  }

  addFile(
    name: string,
    parent: string,
    content: string | Uint8Array,
    mimeType = "application/octet-stream",
  ): string {
    const bytes = typeof content === "string" ? new TextEncoder().encode(content) : content;
    return this.add({ name, mimeType, parent, content: bytes });
  }

  addDoc(name: string, parent: string, html: string, options: { exportTooLarge?: boolean } = {}): string {
    return this.add({ name, mimeType: GOOGLE_DOC, parent, html, ...options });
  }

  addSheet(name: string, parent: string): string {
    return this.add({ name, mimeType: GOOGLE_SHEET, parent });
  }

  /** Changes a file the way an editor would: a new version, a new modifiedTime, an entry in the change log. */
  edit(id: string, change: { content?: string; html?: string; name?: string; parent?: string }): void {
    const file = this.stored(id);
    if (change.content !== undefined) file.content = new TextEncoder().encode(change.content);
    if (change.html !== undefined) file.html = change.html;
    if (change.name !== undefined) file.name = change.name;
    if (change.parent !== undefined) {
      file.parent = change.parent;
      file.driveId = this.driveOf(change.parent);
    }
    this.touch(file);
  }

  /** A change Drive counts as a new version without new bytes (sharing, a star, a description). */
  touchMetadata(id: string): void {
    this.touch(this.stored(id));
  }

  trash(id: string): void {
    const file = this.stored(id);
    file.trashed = true;
    this.touch(file);
  }

  /** Deleted for good (emptied from the trash): the change log says `removed`. */
  remove(id: string): void {
    const file = this.stored(id);
    this.files.delete(id);
    this.log(id, file.driveId, true);
  }

  refuse(driveId: string): void {
    this.refused.add(driveId);
  }

  /** The current change-log position as Drive would hand it out as a start page token. */
  get startPageToken(): string {
    return String(this.seq + 1);
  }

  /** A file's `File` resource, all fields this fixture knows. */
  resource(file: StoredFile): Record<string, unknown> {
    const isBinary = file.content !== undefined;
    return {
      kind: "drive#file",
      id: file.id,
      name: file.name,
      mimeType: file.mimeType,
      ...(isBinary
        ? {
            md5Checksum: createHash("md5")
              .update(file.content ?? "")
              .digest("hex"),
          }
        : {}),
      ...(isBinary ? { size: String(file.content?.byteLength ?? 0) } : {}),
      version: String(file.version),
      modifiedTime: file.modifiedTime,
      webViewLink:
        file.mimeType === GOOGLE_DOC
          ? `https://docs.google.com/document/d/${file.id}/edit?usp=drivesdk`
          : `https://drive.google.com/file/d/${file.id}/view?usp=drivesdk`,
      ...(file.parent ? { parents: [file.parent] } : {}),
      trashed: file.trashed,
      ...(file.driveId ? { driveId: file.driveId } : {}),
      lastModifyingUser: { kind: "drive#user", displayName: file.editor },
    };
  }

  private add(fields: Partial<StoredFile> & { name: string; mimeType: string; parent: string }): string {
    const id = `id${String(++this.ids).padStart(10, "0")}`;
    const file: StoredFile = {
      id,
      driveId: this.driveOf(fields.parent),
      trashed: false,
      version: 0,
      modifiedTime: this.now(),
      editor: "Ada Lovelace",
      ...fields,
    };
    this.files.set(id, file);
    this.touch(file);
    return id;
  }

  private driveOf(parent: string): string | undefined {
    if (this.drives.has(parent)) return parent;
    return this.files.get(parent)?.driveId;
  }

  private stored(id: string): StoredFile {
    const file = this.files.get(id);
    if (!file) throw new Error(`fixture has no file ${id}`);
    return file;
  }

  private touch(file: StoredFile): void {
    file.version += 1;
    file.modifiedTime = this.now();
    this.log(file.id, file.driveId, false);
  }

  private log(fileId: string, driveId: string | undefined, removed: boolean): void {
    this.changes.push({ seq: ++this.seq, fileId, driveId, removed });
  }

  private now(): string {
    this.clock += 60_000;
    return new Date(this.clock).toISOString();
  }

  private routes(): void {
    const api = this.api;
    api.requireAuth(
      (request) =>
        request.path === "/token" ||
        this.issued.has((request.headers.authorization ?? "").replace(/^Bearer /, "")),
      driveError(401, "authError", "Request had invalid authentication credentials."),
    );
    api.route("POST", "/token", (request) => this.token(request));
    api.route(
      "GET",
      "/drive/v3/files",
      this.answering("FileList", (request) => this.list(request)),
    );
    api.route(
      "GET",
      "/drive/v3/files/:id",
      this.answering("File", (request) => this.get(request)),
    );
    api.route("GET", "/drive/v3/files/:id/export", (request) => this.export(request));
    api.route(
      "GET",
      "/drive/v3/changes/startPageToken",
      this.answering("StartPageToken", (request) => {
        const refusal = this.corpusRefusal(request);
        if (refusal) return refusal;
        return { json: { kind: "drive#startPageToken", startPageToken: this.startPageToken } };
      }),
    );
    api.route(
      "GET",
      "/drive/v3/changes",
      this.answering("ChangeList", (request) => this.changeList(request)),
    );
    api.route(
      "POST",
      "/drive/v3/changes/watch",
      this.answering("Channel", (request) => this.watch(request)),
    );
    api.route("POST", "/drive/v3/channels/stop", (request) => {
      const body = JSON.parse(request.body) as { id?: string; resourceId?: string };
      const channel = body.id ? this.channels.get(body.id) : undefined;
      if (!channel || channel.resourceId !== body.resourceId)
        return driveError(404, "notFound", `Channel id ${body.id} not found for project`);
      this.channels.delete(channel.id);
      return { status: 204 };
    });
  }

  /** Records the successful JSON answers of a route under the schema Drive's discovery document gives them. */
  private answering(
    schema: string,
    handler: (request: FixtureRequest) => FixtureReply,
  ): (request: FixtureRequest) => FixtureReply {
    return (request) => {
      const reply = handler(request);
      if ((reply.status ?? 200) === 200 && reply.json !== undefined)
        this.answers.push({ schema, body: reply.json });
      return reply;
    };
  }

  /** RFC 7523: an RS256 JWT signed with the service account's key, for Drive's read-only scope. */
  private token(request: FixtureRequest): FixtureReply {
    const form = new URLSearchParams(request.body);
    const [header = "", payload = "", signature = ""] = (form.get("assertion") ?? "").split(".");
    const signed = verify(
      "RSA-SHA256",
      Buffer.from(`${header}.${payload}`),
      this.publicKey,
      Buffer.from(signature, "base64url"),
    );
    if (!signed || form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer")
      return { status: 400, json: { error: "invalid_grant", error_description: "Invalid JWT Signature." } };
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const now = Date.now() / 1000;
    if (
      claims.iss !== this.clientEmail ||
      claims.scope !== DRIVE_SCOPE ||
      typeof claims.exp !== "number" ||
      claims.exp < now
    )
      return { status: 400, json: { error: "invalid_grant", error_description: "Invalid JWT claims." } };
    this.assertions.push(claims);
    const accessToken = `ya29.fixture-${randomUUID()}`;
    this.issued.add(accessToken);
    return { json: { access_token: accessToken, expires_in: 3599, token_type: "Bearer" } };
  }

  /** Drive answers 404 for a shared drive the caller is no member of, 403 once it was refused. */
  private corpusRefusal(request: FixtureRequest): FixtureReply | undefined {
    const driveId = request.query.get("driveId");
    if (!driveId) return undefined;
    if (request.query.get("supportsAllDrives") !== "true")
      return driveError(400, "invalid", "supportsAllDrives must be true when driveId is set");
    if (this.refused.has(driveId))
      return driveError(
        403,
        "insufficientFilePermissions",
        "The user does not have sufficient permissions for this file.",
      );
    if (!this.drives.has(driveId)) return driveError(404, "notFound", `Shared drive not found: ${driveId}`);
    return undefined;
  }

  /** The clauses of `q` this fixture understands, joined by `and`; anything else is a 400 as from Drive. */
  private matcher(q: string): ((file: StoredFile) => boolean) | undefined {
    const tests: ((file: StoredFile) => boolean)[] = [];
    for (const clause of q.split(" and ").map((part) => part.trim())) {
      const parent = /^'([^']+)' in parents$/.exec(clause)?.[1];
      const mime = /^mimeType (=|!=) '([^']+)'$/.exec(clause);
      if (parent !== undefined) tests.push((file) => file.parent === parent);
      else if (clause === "trashed = false") tests.push((file) => !file.trashed);
      else if (mime) tests.push((file) => (file.mimeType === mime[2]) === (mime[1] === "="));
      else return undefined;
    }
    return (file) => tests.every((test) => test(file));
  }

  private list(request: FixtureRequest): FixtureReply {
    const refusal = this.corpusRefusal(request);
    if (refusal) return refusal;
    const corpora = request.query.get("corpora") ?? "user";
    const driveId = request.query.get("driveId");
    const allDrives = request.query.get("includeItemsFromAllDrives") === "true";
    if (corpora === "drive" && (!driveId || !allDrives))
      return driveError(400, "invalid", "corpora=drive needs driveId and includeItemsFromAllDrives=true");
    if (corpora === "allDrives" && !allDrives)
      return driveError(400, "invalid", "corpora=allDrives needs includeItemsFromAllDrives=true");
    const test = this.matcher(request.query.get("q") ?? "");
    if (!test) return driveError(400, "invalidQuery", "Invalid Value");
    const inCorpus = (file: StoredFile) =>
      corpora === "drive" ? file.driveId === driveId : corpora === "user" ? file.driveId === undefined : true;
    const items = [...this.files.values()].filter(
      (file) => file.id !== this.myDriveRoot && inCorpus(file) && test(file),
    );
    const size = Number(request.query.get("pageSize") ?? 100);
    const start = Number(request.query.get("pageToken") ?? 0);
    const page = items.slice(start, start + size);
    const next = start + size < items.length ? String(start + size) : undefined;
    const answer = {
      kind: "drive#fileList",
      incompleteSearch: false,
      ...(next ? { nextPageToken: next } : {}),
      files: page.map((file) => this.resource(file)),
    };
    return { json: pick(answer, this.fields(request)) };
  }

  private fields(request: FixtureRequest): Map<string, unknown> | undefined {
    const fields = request.query.get("fields");
    return fields ? (parseFields(fields) as Map<string, unknown>) : undefined;
  }

  private visible(id: string, request: FixtureRequest): StoredFile | undefined {
    const file = this.files.get(id);
    if (!file || file.id === this.myDriveRoot) return undefined;
    // Drive hides shared-drive items from callers that do not declare they support shared drives.
    if (file.driveId && request.query.get("supportsAllDrives") !== "true") return undefined;
    if (file.driveId && this.refused.has(file.driveId)) return undefined;
    return file;
  }

  private get(request: FixtureRequest): FixtureReply {
    const id = request.params.id ?? "";
    const file = this.visible(id, request);
    if (!file) return driveError(404, "notFound", `File not found: ${id}.`);
    if (request.query.get("alt") === "media") {
      if (!file.content)
        return driveError(403, "fileNotDownloadable", "Only files with binary content can be downloaded.");
      return {
        headers: { "content-type": file.mimeType, "content-length": String(file.content.byteLength) },
        body: file.content,
      };
    }
    return { json: pick(this.resource(file), this.fields(request)) };
  }

  private export(request: FixtureRequest): FixtureReply {
    const id = request.params.id ?? "";
    const file = this.files.get(id);
    if (!file || file.id === this.myDriveRoot) return driveError(404, "notFound", `File not found: ${id}.`);
    if (file.mimeType !== GOOGLE_DOC || request.query.get("mimeType") !== "text/html")
      return driveError(400, "badRequest", "Export only supports Docs Editors files.");
    if (file.exportTooLarge)
      return driveError(403, "exportSizeLimitExceeded", "This file is too large to be exported.");
    return { headers: { "content-type": "text/html; charset=utf-8" }, body: file.html ?? "" };
  }

  private inFeed(change: LoggedChange, request: FixtureRequest): boolean {
    const driveId = request.query.get("driveId");
    if (driveId) return change.driveId === driveId;
    return change.driveId === undefined || request.query.get("includeItemsFromAllDrives") === "true";
  }

  private changeList(request: FixtureRequest): FixtureReply {
    const refusal = this.corpusRefusal(request);
    if (refusal) return refusal;
    const token = Number(request.query.get("pageToken"));
    if (!Number.isInteger(token) || token < 1) return driveError(400, "invalid", "Invalid Value: pageToken");
    const size = Number(request.query.get("pageSize") ?? 100);
    const pending = this.changes.filter((change) => change.seq >= token && this.inFeed(change, request));
    const page = pending.slice(0, size);
    const rest = pending[size];
    const answer = {
      kind: "drive#changeList",
      ...(rest ? { nextPageToken: String(rest.seq) } : { newStartPageToken: this.startPageToken }),
      changes: page.map((change) => {
        const file = this.files.get(change.fileId);
        return {
          kind: "drive#change",
          changeType: "file",
          fileId: change.fileId,
          removed: change.removed || !file,
          time: new Date(this.clock).toISOString(),
          ...(change.driveId ? { driveId: change.driveId } : {}),
          // Like Drive: the file's state now, not at the time of the change.
          ...(file && !change.removed ? { file: this.resource(file) } : {}),
        };
      }),
    };
    return { json: pick(answer, this.fields(request)) };
  }

  private watch(request: FixtureRequest): FixtureReply {
    const refusal = this.corpusRefusal(request);
    if (refusal) return refusal;
    const body = JSON.parse(request.body) as Partial<WatchedChannel> & { type?: string };
    const pageToken = request.query.get("pageToken");
    if (!pageToken || body.type !== "web_hook" || !body.id || !body.address || !body.token)
      return driveError(400, "required", "pageToken, type web_hook, id, address and token are required");
    if (this.channels.has(body.id)) return driveError(400, "channelIdNotUnique", "Channel id not unique");
    const channel: WatchedChannel = {
      id: body.id,
      resourceId: `res-${randomUUID()}`,
      address: body.address,
      token: body.token,
      expiration: String(body.expiration ?? Date.now() + 3_600_000),
      pageToken,
      driveId: request.query.get("driveId") ?? undefined,
    };
    this.channels.set(channel.id, channel);
    return {
      json: {
        kind: "api#channel",
        id: channel.id,
        resourceId: channel.resourceId,
        resourceUri: `${this.url}/drive/v3/changes?pageToken=${pageToken}`,
        expiration: channel.expiration,
      },
    };
  }
}
