import type { DocumentMetadata, FetchedDocument, ListedDocument } from "../contract.js";
import type { GhostOptions, GhostResource } from "./ghost-options.js";
import type { GhostPost } from "./ghost-types.js";

/**
 * Ghost posts and pages → documents, and the source's scope (statuses, visibilities, tags) both as an
 * NQL filter for the API and as a check on items that arrive unfiltered (incremental runs, webhooks).
 */
export class GhostDocuments {
  constructor(
    private readonly options: GhostOptions,
    private readonly api: "content" | "admin",
  ) {}

  /** The scope as NQL filter parts (joined with `+`). The Content API only serves published posts. */
  scopeFilter(): string[] {
    const parts: string[] = [];
    if (this.api === "admin") parts.push(`status:[${this.options.statuses.join(",")}]`);
    parts.push(`visibility:[${this.options.visibilities.join(",")}]`);
    if (this.options.tags.length > 0) parts.push(`tag:[${this.options.tags.join(",")}]`);
    return parts;
  }

  inScope(post: GhostPost): boolean {
    const status = post.status ?? "published";
    if (!(this.options.statuses as readonly string[]).includes(status)) return false;
    if (!(this.options.visibilities as readonly string[]).includes(post.visibility ?? "public")) return false;
    const { tags } = this.options;
    return (
      tags.length === 0 || (post.tags ?? []).some((tag) => tag.slug !== undefined && tags.includes(tag.slug))
    );
  }

  /** Ghost bumps `updated_at` on every save, so it is the cheap version. */
  version(post: GhostPost): string {
    return post.updated_at ?? "";
  }

  listed(post: GhostPost, resource: GhostResource): ListedDocument {
    const document = this.fetched(post, resource);
    return {
      externalId: document.externalId,
      version: document.version,
      ...(document.updatedAt ? { updatedAt: document.updatedAt } : {}),
      metadata: document.metadata,
      // Browse answers already carry the HTML: loading costs nothing more.
      load: async () => document,
    };
  }

  fetched(post: GhostPost, resource: GhostResource): FetchedDocument {
    const updatedAt = post.updated_at ? new Date(post.updated_at) : undefined;
    const url = this.url(post, resource);
    const title = post.title?.trim();
    return {
      // Posts and pages share one table in Ghost, so their ids never collide.
      externalId: post.id,
      version: this.version(post),
      ...(title ? { title } : {}),
      ...(url ? { url } : {}),
      ...(updatedAt && !Number.isNaN(updatedAt.getTime()) ? { updatedAt } : {}),
      metadata: this.metadata(post, resource),
      body: { kind: "html", html: post.html ?? "" },
    };
  }

  private url(post: GhostPost, resource: GhostResource): string | undefined {
    const template = this.options.urlTemplate;
    if (!template) return post.url || undefined;
    const values: Record<string, string | undefined> = {
      slug: post.slug,
      id: post.id,
      uuid: post.uuid,
      type: resource === "posts" ? "post" : "page",
    };
    let missing = false;
    const url = template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      if (!(name in values)) return placeholder;
      const value = values[name];
      if (!value) {
        missing = true;
        return "";
      }
      return encodeURIComponent(value);
    });
    return missing ? undefined : url;
  }

  private metadata(post: GhostPost, resource: GhostResource): DocumentMetadata {
    const author = post.primary_author?.name ?? post.authors?.[0]?.name;
    return {
      type: resource === "posts" ? "post" : "page",
      labels: (post.tags ?? []).map((tag) => tag.name),
      ...(post.status ? { status: post.status } : { status: "published" }),
      ...(post.visibility ? { visibility: post.visibility } : {}),
      ...(author ? { author } : {}),
      ...(post.slug ? { path: post.slug } : {}),
      ...(post.updated_at ? { updated: post.updated_at } : {}),
    };
  }
}
