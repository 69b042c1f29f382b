import { z } from "zod";

const rendered = z.object({ rendered: z.string() });
const embeddedTerm = z.object({ id: z.number(), name: z.string(), taxonomy: z.string() });

/**
 * The fields of a `wp/v2` post-like object (posts, pages, custom post types) this connector reads.
 * Other fields pass through untouched; `_embedded` carries author and term names from `_embed`.
 */
export const wordpressPostSchema = z.object({
  id: z.number().int().positive(),
  type: z.string(),
  status: z.string(),
  slug: z.string().default(""),
  link: z.string().default(""),
  modified_gmt: z.string(),
  /** `raw` (the title as saved) comes only with `context=edit`; `rendered` always. */
  title: rendered.extend({ raw: z.string().optional() }).optional(),
  content: rendered.extend({ protected: z.boolean().optional() }).optional(),
  categories: z.array(z.number()).optional(),
  tags: z.array(z.number()).optional(),
  _embedded: z
    .object({
      author: z.array(z.object({ name: z.string().optional() }).loose()).optional(),
      "wp:term": z.array(z.array(embeddedTerm.loose())).optional(),
    })
    .loose()
    .optional(),
});

export type WordPressPost = z.output<typeof wordpressPostSchema>;

/** `modified_gmt` comes without a zone designator; it is UTC. */
export function modifiedGmt(post: Pick<WordPressPost, "modified_gmt">): Date {
  return new Date(`${post.modified_gmt.replace(" ", "T")}Z`);
}
