import { createHash } from "node:crypto";
import type { DocumentMetadata, FetchedDocument, ListedDocument } from "../contract.js";
import { parseHtmlFragment, textOf } from "../transforms/html-document.js";
import { modifiedGmt, type WordPressPost } from "./wordpress-post.js";

/** `post:123`, `page:45`, `product:7`: the post type slug keeps ids of different types apart. */
export function wordpressExternalId(post: Pick<WordPressPost, "type" | "id">): string {
  return `${post.type}:${post.id}`;
}

/** Parses an externalId back into its post type and numeric id; undefined when it is not one. */
export function parseWordPressExternalId(externalId: string): { type: string; id: number } | undefined {
  const match = /^([^:]+):([1-9][0-9]*)$/.exec(externalId);
  if (!match) return undefined;
  return { type: match[1]!, id: Number(match[2]) };
}

/** Titles are HTML with entities (`&#8217;`, `&amp;`) and sometimes inline tags; Fin wants text. */
export function decodeTitle(htmlTitle: string): string {
  return textOf(parseHtmlFragment(htmlTitle)).trim();
}

/**
 * The label get_the_title() puts before a private post's title through the site's localised
 * `private_title_format`: "Private: " in English, "Privé : ", "Privat: ", "私密：" elsewhere. A short run
 * of letters, then a colon (ASCII or full-width), then optional spaces.
 */
const PRIVATE_TITLE_PREFIX = /^[\p{L}\p{M}][\p{L}\p{M} ]{0,29}?\s*[:：]\s*/u;

/**
 * The post's own title as text.
 *
 * With `context=edit` (credentials configured) WordPress sends `title.raw`, the title as saved, which
 * is used as is (entities decoded). Without it only `title.rendered` exists, and for a private post
 * that carries the `private_title_format` prefix ("Private: Support runbook"): the prefix is stripped
 * from private posts only, so a public post titled "Private: …" keeps its title. Password-protected
 * posts need nothing: the REST controller renders their title with `protected_title_format` set to
 * "%s", so no "Protected: " prefix reaches us. Hazard: a site whose `private_title_format` filter drops
 * the prefix would lose a leading "Word: " from private titles, but only without edit context, which
 * anonymous sources never have for private posts anyway.
 */
export function wordpressTitle(post: Pick<WordPressPost, "title" | "status">): string {
  if (post.title?.raw !== undefined) return decodeTitle(post.title.raw);
  const rendered = decodeTitle(post.title?.rendered ?? "");
  return post.status === "private" ? rendered.replace(PRIVATE_TITLE_PREFIX, "") : rendered;
}

function metadataOf(post: WordPressPost): DocumentMetadata {
  const terms = (post._embedded?.["wp:term"] ?? []).flat();
  const author = post._embedded?.author?.[0]?.name;
  return {
    type: post.type,
    status: post.status,
    path: post.slug,
    labels: terms.map((term) => term.name),
    categories: terms.filter((term) => term.taxonomy === "category").map((term) => term.name),
    tags: terms.filter((term) => term.taxonomy === "post_tag").map((term) => term.name),
    updated: modifiedGmt(post).toISOString(),
    ...(author ? { author } : {}),
  };
}

function canonicalUrl(post: WordPressPost, urlTemplate: string | undefined): string | undefined {
  if (urlTemplate === undefined) return post.link || undefined;
  const values: Record<string, string> = {
    link: post.link,
    id: String(post.id),
    slug: post.slug,
    type: post.type,
  };
  return urlTemplate.replace(/\{(link|id|slug|type)\}/g, (_, key: string) => values[key] ?? "");
}

/**
 * A listing already carries the whole post, so `load` resolves without another request. The version
 * hashes what the document is made of: an edit in the same second as the last still changes it.
 */
export function wordpressDocument(post: WordPressPost, urlTemplate: string | undefined): ListedDocument {
  const title = wordpressTitle(post);
  const html = post.content?.rendered ?? "";
  const url = canonicalUrl(post, urlTemplate);
  const metadata = metadataOf(post);
  const updatedAt = modifiedGmt(post);
  const version = createHash("sha256")
    .update(
      JSON.stringify([post.modified_gmt, post.status, title, url, html, metadata.labels, metadata.author]),
    )
    .digest("hex")
    .slice(0, 32);
  const fetched: FetchedDocument = {
    externalId: wordpressExternalId(post),
    version,
    ...(title ? { title } : {}),
    ...(url ? { url } : {}),
    updatedAt,
    metadata,
    body: { kind: "html", html },
  };
  return {
    externalId: fetched.externalId,
    version,
    updatedAt,
    metadata,
    load: async () => fetched,
  };
}
