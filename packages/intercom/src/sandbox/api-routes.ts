import { type ApiHandler, aiContentHandlers } from "./ai-content-handlers.js";
import type { SandboxStore } from "./store.js";

/** A route of the API: its template (the key of the call counters) and a handler per method. */
export interface ApiRoute {
  template: string;
  methods: Readonly<Record<string, ApiHandler>>;
}

export interface RouteMatch {
  route: ApiRoute;
  id: string | undefined;
}

/** `GET /me`: the admin the token belongs to, with its app (`admin_with_app`). */
function identifyAdmin(startedAt: number): ApiHandler {
  return () => ({
    status: 200,
    body: {
      type: "admin",
      id: "1",
      email: "sandbox-admin@example.com",
      name: "Sandbox Admin",
      email_verified: true,
      app: {
        type: "app",
        id_code: "sandbox",
        name: "content-sync sandbox",
        created_at: startedAt,
        identity_verification: false,
        timezone: "Etc/UTC",
        region: "US",
      },
      avatar: { type: "avatar", image_url: null },
      has_inbox_seat: true,
    },
  });
}

/**
 * The sandbox's routing table: the ten AI Content operations and `GET /me`, matched with plain
 * string operations (the hot path of every call).
 */
export class ApiRouter {
  private readonly exact = new Map<string, ApiRoute>();
  private readonly withId = new Map<string, ApiRoute>();

  constructor(store: SandboxStore, perPage: number, startedAt: number) {
    const h = aiContentHandlers(store, perPage);
    this.exact.set("/me", { template: "/me", methods: { GET: identifyAdmin(startedAt) } });
    this.exact.set("/ai/content_import_sources", {
      template: "/ai/content_import_sources",
      methods: { GET: h.listContentImportSources, POST: h.createContentImportSource },
    });
    this.withId.set("/ai/content_import_sources/", {
      template: "/ai/content_import_sources/{id}",
      methods: {
        GET: h.getContentImportSource,
        PUT: h.updateContentImportSource,
        DELETE: h.deleteContentImportSource,
      },
    });
    this.exact.set("/ai/external_pages", {
      template: "/ai/external_pages",
      methods: { GET: h.listExternalPages, POST: h.createExternalPage },
    });
    this.withId.set("/ai/external_pages/", {
      template: "/ai/external_pages/{id}",
      methods: { GET: h.getExternalPage, PUT: h.updateExternalPage, DELETE: h.deleteExternalPage },
    });
  }

  match(path: string): RouteMatch | undefined {
    const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    const route = this.exact.get(trimmed);
    if (route !== undefined) return { route, id: undefined };
    const slash = trimmed.lastIndexOf("/");
    const withId = this.withId.get(trimmed.slice(0, slash + 1));
    if (withId === undefined) return undefined;
    const raw = trimmed.slice(slash + 1);
    let id: string;
    try {
      id = decodeURIComponent(raw);
    } catch {
      id = raw;
    }
    return { route: withId, id };
  }
}
