import { z } from "zod";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  ListContext,
  SourceEvent,
  WebhookHandler,
} from "../contract.js";
import { ConnectorError } from "../errors.js";
import type { CredentialProvider } from "../toolkit/credentials/credential-provider.js";
import { headerCredential } from "../toolkit/credentials/static-credentials.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { ghostAdminToken, parseGhostAdminKey } from "./ghost-admin-token.js";
import { GhostApi } from "./ghost-api.js";
import { GhostDocuments } from "./ghost-documents.js";
import { type GhostOptions, type GhostResource, ghostOptionsSchema } from "./ghost-options.js";
import type { GhostPost } from "./ghost-types.js";
import { ghostWebhook } from "./ghost-webhook.js";

/** The server time the previous run started; the next run re-reads from it minus the overlap. */
const cursorSchema = z.strictObject({ v: z.literal(1), since: z.iso.datetime() });

/** NQL compares dates written as `YYYY-MM-DD HH:mm:ss` (UTC). */
const nqlDate = (date: Date) => date.toISOString().slice(0, 19).replace("T", " ");

/**
 * Ghost through the Admin API (drafts, scheduled and members-only posts, with a JWT per request) or
 * the Content API (published, public content, with `?key=`).
 *
 * Ghost keeps no tombstones: deletions come from `post.deleted`/`page.deleted` webhooks and from the
 * engine's id reconciliation after a full listing. Incremental runs read everything updated since the
 * cursor without the scope filter and check the scope here, so a post that was unpublished, made
 * members-only or lost its tag comes back and is deleted (with the Content API an unpublished post
 * simply vanishes; reconciliation or the webhook removes it).
 */
class GhostConnector implements Connector {
  readonly webhook: WebhookHandler;
  readonly listChanges: Connector["listChanges"];

  constructor(
    private readonly options: GhostOptions,
    private readonly init: ConnectorInit,
    private readonly api: GhostApi,
    private readonly documents: GhostDocuments,
  ) {
    this.webhook = ghostWebhook({
      toleranceSeconds: options.webhookToleranceSeconds,
      resources: options.resources,
    });
    this.listChanges = (cursor, ctx) => this.changes(cursor, ctx);
  }

  /**
   * Everything in scope, oldest id first (Ghost ids grow with time, so new posts land on the last
   * page). Page numbers shift when a post is deleted mid-listing, which would hide a live post and
   * get it deleted: a total that shrinks between pages, or fewer distinct ids than the final total,
   * fails the listing (transient) instead. A deletion exactly offset by a creation mid-listing is
   * not detected; the next full run repairs it.
   */
  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    let started: Date | undefined;
    for (const resource of this.options.resources) {
      const seen = new Set<string>();
      let total: number | undefined;
      const query = { filter: this.documents.scopeFilter(), order: "id asc" };
      for await (const page of this.api.browse(resource, query, ctx.signal)) {
        started ??= page.serverTime ?? new Date();
        if (total !== undefined && page.pagination.total < total) {
          throw this.shifted(resource, `the total went from ${total} to ${page.pagination.total}`);
        }
        total = page.pagination.total;
        for (const post of page.items) {
          if (seen.has(post.id)) continue;
          seen.add(post.id);
          yield { kind: "document", document: this.documents.listed(post, resource) };
        }
      }
      if (seen.size < (total ?? 0)) throw this.shifted(resource, `${seen.size} of ${total} seen`);
    }
    yield { kind: "cursor", cursor: JSON.stringify({ v: 1, since: (started ?? new Date()).toISOString() }) };
  }

  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    const unique = [...new Set(ids)];
    const found = new Map<string, { post: GhostPost; resource: GhostResource }>();
    for (const resource of this.options.resources) {
      const missing = unique.filter((id) => !found.has(id));
      if (missing.length === 0) break;
      for (const post of await this.api.byIds(resource, missing, this.documents.scopeFilter(), ctx.signal)) {
        found.set(post.id, { post, resource });
      }
    }
    for (const id of ids) {
      const hit = found.get(id);
      if (hit && this.documents.inScope(hit.post)) {
        yield { kind: "document", document: this.documents.listed(hit.post, hit.resource) };
      } else if (hit) {
        // Ghost returned it, out of scope (unpublished, gated, untagged): the product says so.
        yield { kind: "deleted", externalId: id };
      } else {
        // Ghost keeps no tombstones: not returned may also mean a key that lost access.
        yield { kind: "missing", externalId: id, reason: "Ghost returned no post or page with this id" };
      }
    }
  }

  /**
   * Updated since the cursor minus the overlap, newest first: a post saved mid-run moves to a page
   * already read instead of pushing an unread one past a page boundary, and the next run (starting
   * from this run's server time) sees it.
   */
  private async *changes(raw: string, ctx: ListContext): AsyncIterable<SourceEvent> {
    const cursor = this.decode(raw);
    const from = new Date(new Date(cursor.since).getTime() - this.options.overlapSeconds * 1000);
    let started: Date | undefined;
    const seen = new Set<string>();
    for (const resource of this.options.resources) {
      const query = { filter: [`updated_at:>='${nqlDate(from)}'`], order: "updated_at desc" };
      for await (const page of this.api.browse(resource, query, ctx.signal)) {
        started ??= page.serverTime ?? new Date();
        for (const post of page.items) {
          if (seen.has(post.id)) continue;
          seen.add(post.id);
          if (this.documents.inScope(post))
            yield { kind: "document", document: this.documents.listed(post, resource) };
          else yield { kind: "deleted", externalId: post.id };
        }
      }
    }
    const next = started ?? new Date(Math.max(Date.now(), new Date(cursor.since).getTime()));
    yield { kind: "cursor", cursor: JSON.stringify({ v: 1, since: next.toISOString() }) };
  }

  private shifted(resource: string, detail: string): ConnectorError {
    return new ConnectorError(
      "unavailable",
      `source "${this.init.sourceId}": Ghost ${resource} changed while paging (${detail}); retry the listing`,
      { sourceId: this.init.sourceId },
    );
  }

  private decode(raw: string): z.output<typeof cursorSchema> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const result = cursorSchema.safeParse(parsed);
    if (!result.success) {
      throw new ConnectorError(
        "config",
        `source "${this.init.sourceId}": cursor is not a Ghost cursor; run a full sync to start over`,
        { sourceId: this.init.sourceId },
      );
    }
    return result.data;
  }
}

/** The `ghost` connector type. */
export const ghostConnector: ConnectorDefinition<GhostOptions> = {
  type: "ghost",
  // Ghost documents no Content/Admin API rate limit (Ghost(Pro) throttles abuse): a polite default.
  defaultRate: { perSecond: 10 },
  optionsSchema: ghostOptionsSchema,
  create(options: GhostOptions, init: ConnectorInit): Connector {
    const useAdmin = options.adminApiKeyEnv !== undefined;
    const credentialEnv =
      (useAdmin ? options.adminApiKeyEnv : options.contentApiKeyEnv) ?? "contentApiKeyEnv";
    const secret = init.env[credentialEnv];
    const fail = (problem: string) =>
      new ConnectorError("config", `source "${init.sourceId}": env var ${credentialEnv} ${problem}`, {
        sourceId: init.sourceId,
        credentialEnv,
      });
    if (!secret) throw fail(`holding the Ghost ${useAdmin ? "Admin" : "Content"} API key is not set`);
    const adminKey = useAdmin ? parseGhostAdminKey(secret) : undefined;
    if (useAdmin && !adminKey) throw fail('does not hold an Admin API key of the form "<id>:<secret>"');

    const logger = init.logger.child({ connector: "ghost" });
    // A fresh token per request: Ghost refuses Admin tokens older than five minutes. The Content API
    // key travels as `?key=`: no header, but it is a secret to scrub all the same.
    const credentials: CredentialProvider = adminKey
      ? headerCredential("authorization", () => `Ghost ${ghostAdminToken(adminKey)}`, {
          credentialEnv,
          secrets: [secret],
        })
      : { credentialEnv, headers: async () => ({}), secrets: () => [secret] };
    const http = connectorHttp(init, {
      baseUrl: options.apiUrl,
      headers: { "accept-version": options.acceptVersion },
      credentials,
      logger,
    });
    const api = new GhostApi(http, {
      sourceId: init.sourceId,
      api: useAdmin ? "admin" : "content",
      ...(useAdmin ? {} : { contentKey: secret }),
      pageSize: options.pageSize,
    });
    return new GhostConnector(
      options,
      init,
      api,
      new GhostDocuments(options, useAdmin ? "admin" : "content"),
    );
  },
};
