/** The parts of Ghost's post/page resources this connector reads (Content and Admin API share them). */

export interface GhostTag {
  id?: string;
  name: string;
  slug?: string;
}

export interface GhostAuthor {
  id?: string;
  name: string;
  slug?: string;
}

export interface GhostPost {
  id: string;
  uuid?: string;
  title?: string | null;
  slug?: string;
  html?: string | null;
  status?: string;
  visibility?: string;
  url?: string;
  updated_at?: string | null;
  published_at?: string | null;
  tags?: GhostTag[];
  authors?: GhostAuthor[];
  primary_author?: GhostAuthor | null;
}

export interface GhostPagination {
  page: number;
  limit: number | "all";
  pages: number;
  total: number;
  next: number | null;
  prev: number | null;
}

/** A browse answer: `{ posts: [...], meta: { pagination } }` (or `pages`). */
export type GhostBrowse = Partial<Record<"posts" | "pages", GhostPost[]>> & {
  meta?: { pagination?: GhostPagination };
};
