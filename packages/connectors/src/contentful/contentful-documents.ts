import type { Document } from "@contentful/rich-text-types";
import type { DocumentBody, DocumentMetadata, FetchedDocument, ListedDocument } from "../contract.js";
import type { LinkIds, LinkResolver } from "./contentful-links.js";
import type { LocaleChain } from "./contentful-locales.js";
import type { ContentfulOptions } from "./contentful-options.js";
import {
  collectLinkIds,
  isRichTextDocument,
  renderRichText,
  type RichTextContext,
} from "./contentful-rich-text.js";
import type { ContentfulEntity } from "./contentful-types.js";

/**
 * Turns Contentful entries into documents: field mapping, locale fallback, URL template, scope
 * (content types, tags) and the metadata the engine's rules match on.
 */
export class ContentfulDocuments {
  constructor(
    private readonly options: ContentfulOptions,
    private readonly locales: LocaleChain,
    private readonly links: LinkResolver,
  ) {}

  contentTypeOf(entry: ContentfulEntity): string | undefined {
    return entry.sys.contentType?.sys.id;
  }

  tagsOf(entry: ContentfulEntity): string[] {
    return (entry.metadata?.tags ?? []).map((tag) => tag.sys.id).filter((id) => typeof id === "string");
  }

  /** Whether the entry belongs to this source (configured content types and tags). */
  inScope(entry: ContentfulEntity): boolean {
    if (entry.sys.type !== "Entry") return false;
    const { contentTypes, tags } = this.options;
    const contentType = this.contentTypeOf(entry);
    if (contentTypes.length > 0 && (!contentType || !contentTypes.includes(contentType))) return false;
    if (tags.length > 0 && !this.tagsOf(entry).some((tag) => tags.includes(tag))) return false;
    return true;
  }

  /** Revision changes on every publish (Delivery) or save (Preview); updatedAt disambiguates across APIs. */
  version(entry: ContentfulEntity): string {
    return `${entry.sys.revision ?? 0}:${entry.sys.updatedAt ?? ""}`;
  }

  listed(entry: ContentfulEntity): ListedDocument {
    const updatedAt = this.updatedAt(entry);
    return {
      externalId: entry.sys.id,
      version: this.version(entry),
      ...(updatedAt ? { updatedAt } : {}),
      metadata: this.metadata(entry),
      load: (signal) => this.fetched(entry, signal ?? new AbortController().signal),
    };
  }

  async fetched(entry: ContentfulEntity, signal: AbortSignal): Promise<FetchedDocument> {
    const linkIds: LinkIds = { entries: new Set(), assets: new Set() };
    const rawBody = this.locales.pick(entry, this.options.bodyField);
    if (isRichTextDocument(rawBody)) collectLinkIds(rawBody, linkIds);
    const authorLink = this.authorLinkId(entry);
    if (authorLink) linkIds.entries.add(authorLink);
    const targets = await this.links.resolve(linkIds, signal);

    // Block embeds render the linked entry's own Rich Text; resolve its links too (one level).
    const nested: LinkIds = { entries: new Set(), assets: new Set() };
    for (const linked of targets.entries.values()) {
      const body = this.locales.pick(linked, this.options.bodyField);
      if (isRichTextDocument(body)) collectLinkIds(body, nested);
    }
    const nestedTargets = await this.links.resolve(nested, signal);
    const allTargets = {
      entries: new Map([...nestedTargets.entries, ...targets.entries]),
      assets: new Map([...nestedTargets.assets, ...targets.assets]),
    };

    const title = this.locales.pickString(entry, this.options.titleField);
    const url = this.url(entry);
    const updatedAt = this.updatedAt(entry);
    const author = this.author(entry, allTargets.entries);
    const metadata = { ...this.metadata(entry), ...(author ? { author } : {}) };
    return {
      externalId: entry.sys.id,
      version: this.version(entry),
      ...(title ? { title } : {}),
      ...(url ? { url } : {}),
      ...(updatedAt ? { updatedAt } : {}),
      metadata,
      body: this.body(rawBody, { targets: allTargets, ...this.richTextContext() }),
    };
  }

  /** The entry's public URL: `urlField`, else `urlTemplate`; undefined when a placeholder has no value. */
  url(entry: ContentfulEntity): string | undefined {
    if (this.options.urlField) return this.locales.pickString(entry, this.options.urlField);
    const template = this.options.urlTemplate;
    if (!template) return undefined;
    const values: Record<string, string | undefined> = {
      slug: this.locales.pickString(entry, this.options.slugField),
      id: entry.sys.id,
      contentType: this.contentTypeOf(entry),
      locale: this.locales.locale,
    };
    let missing = false;
    const url = template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
      if (!(name in values)) return placeholder;
      const value = values[name];
      if (value === undefined) {
        missing = true;
        return "";
      }
      // Slugs may be paths ("guides/setup"): keep their slashes, encode everything else.
      return encodeURIComponent(value).replace(/%2F/gi, "/");
    });
    return missing ? undefined : url;
  }

  private metadata(entry: ContentfulEntity): DocumentMetadata {
    const contentType = this.contentTypeOf(entry);
    const slug = this.locales.pickString(entry, this.options.slugField);
    // A text author field is known now; a linked author entry is resolved when the document loads.
    const authorField = this.options.authorField;
    const author =
      authorField && !this.authorLinkId(entry) ? this.locales.pickString(entry, authorField) : undefined;
    return {
      type: contentType,
      space: this.options.spaceId,
      labels: this.tagsOf(entry),
      status: this.status(entry),
      locale: this.locales.locale,
      ...(slug ? { path: slug } : {}),
      ...(author ? { author } : {}),
      ...(entry.sys.updatedAt ? { updated: entry.sys.updatedAt } : {}),
    };
  }

  /** Delivery only serves published entries; on Preview, `publishedAt` is present once published. */
  private status(entry: ContentfulEntity): string {
    if (!this.options.includeDrafts) return "published";
    return entry.sys.publishedAt || entry.sys.publishedVersion ? "published" : "draft";
  }

  private updatedAt(entry: ContentfulEntity): Date | undefined {
    const date = entry.sys.updatedAt ? new Date(entry.sys.updatedAt) : undefined;
    return date && !Number.isNaN(date.getTime()) ? date : undefined;
  }

  private body(raw: unknown, context: RichTextContext): DocumentBody {
    if (isRichTextDocument(raw)) return { kind: "html", html: renderRichText(raw, context) };
    // Contentful's long text fields are edited as Markdown; the transforms turn it into HTML.
    if (typeof raw === "string") return { kind: "markdown", markdown: raw };
    return { kind: "html", html: "" };
  }

  private authorLinkId(entry: ContentfulEntity): string | undefined {
    if (!this.options.authorField) return undefined;
    const value = this.locales.pick(entry, this.options.authorField) as {
      sys?: { type?: string; id?: string };
    };
    return value?.sys?.type === "Link" && typeof value.sys.id === "string" ? value.sys.id : undefined;
  }

  private author(entry: ContentfulEntity, linked: ReadonlyMap<string, ContentfulEntity>): string | undefined {
    if (!this.options.authorField) return undefined;
    const linkId = this.authorLinkId(entry);
    if (!linkId) return this.locales.pickString(entry, this.options.authorField);
    const person = linked.get(linkId);
    if (!person) return undefined;
    return (
      this.locales.pickString(person, "name") ?? this.locales.pickString(person, this.options.titleField)
    );
  }

  private richTextContext(): Omit<RichTextContext, "targets"> {
    return {
      entryTitle: (entry) => this.locales.pickString(entry, this.options.titleField),
      entryUrl: (entry) => this.url(entry),
      entryBody: (entry) => {
        const body = this.locales.pick(entry, this.options.bodyField);
        return isRichTextDocument(body) ? (body as Document) : undefined;
      },
      asset: (asset) => {
        const file = this.locales.pick(asset, "file") as { url?: unknown; contentType?: unknown } | undefined;
        const rawUrl = typeof file?.url === "string" ? file.url : undefined;
        // Asset URLs are protocol-relative (`//images.ctfassets.net/...`).
        const url = rawUrl?.startsWith("//") ? `https:${rawUrl}` : rawUrl;
        return {
          ...(url ? { url } : {}),
          ...(typeof file?.contentType === "string" ? { contentType: file.contentType } : {}),
          ...(this.locales.pickString(asset, "title")
            ? { title: this.locales.pickString(asset, "title") }
            : {}),
          ...(this.locales.pickString(asset, "description")
            ? { description: this.locales.pickString(asset, "description") }
            : {}),
        };
      },
    };
  }
}
