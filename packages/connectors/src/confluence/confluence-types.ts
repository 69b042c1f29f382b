/** The parts of Confluence's answers this connector reads (Cloud REST v2 and v1; Data Center v1). */

export interface Links {
  webui?: string;
  base?: string;
  next?: string;
  download?: string;
  context?: string;
}

/** v2 `SpaceBulk`. */
export interface V2Space {
  id: string;
  key: string;
  name?: string;
  status?: string;
  type?: string;
}

/** v2 `PageBulk` / `PageSingle` (blog posts share the shape). */
export interface V2Page {
  id: string;
  status?: string;
  title?: string;
  spaceId?: string;
  parentId?: string | null;
  authorId?: string;
  createdAt?: string;
  version?: { number?: number; createdAt?: string; authorId?: string };
  body?: Record<string, { value?: string; representation?: string } | undefined>;
  _links?: Links;
}

/** v2 list answers: `{ results, _links: { next?, base? } }`. */
export interface V2List<T> {
  results?: T[];
  _links?: Links;
}

/** v2 footer comment. */
export interface V2Comment {
  id: string;
  status?: string;
  body?: { view?: { value?: string } };
  version?: { createdAt?: string };
}

/** v2 attachment. */
export interface V2Attachment {
  id: string;
  status?: string;
  title?: string;
  mediaType?: string;
  fileSize?: number;
  version?: { number?: number; createdAt?: string };
  downloadLink?: string;
  webuiLink?: string;
  _links?: Links;
}

interface V1Person {
  displayName?: string;
  username?: string;
  publicName?: string;
}

interface V1Restrictions {
  user?: { results?: unknown[] };
  group?: { results?: unknown[] };
}

/** v1 `Content` with the expansions this connector asks for. */
export interface V1Content {
  id: string;
  type: string;
  status?: string;
  title?: string;
  space?: { key?: string; name?: string; status?: string };
  history?: { createdBy?: V1Person; createdDate?: string };
  version?: { number?: number; when?: string; by?: V1Person };
  ancestors?: { id?: string; title?: string }[];
  metadata?: { labels?: { results?: { name?: string; prefix?: string }[] }; mediaType?: string };
  restrictions?: { read?: { restrictions?: V1Restrictions } };
  body?: Record<string, { value?: string } | undefined>;
  extensions?: { location?: string; mediaType?: string; fileSize?: number };
  container?: { id?: string; title?: string; type?: string };
  _links?: Links;
}

/** v1 `ContentArray`: `results`, `start`, `limit`, `size`, `_links` (with `next` while more remain). */
export interface V1ContentArray {
  results?: V1Content[];
  start?: number;
  limit?: number;
  size?: number;
  _links?: Links;
}
