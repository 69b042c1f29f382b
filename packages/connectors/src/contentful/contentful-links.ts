import type { ContentfulApi } from "./contentful-api.js";
import type { ContentfulCollection, ContentfulEntity } from "./contentful-types.js";

/** Linked entries and assets a document needs to render, by id. */
export interface LinkTargets {
  entries: ReadonlyMap<string, ContentfulEntity>;
  assets: ReadonlyMap<string, ContentfulEntity>;
}

/** Ids a document links to, split by link type. */
export interface LinkIds {
  entries: Set<string>;
  assets: Set<string>;
}

/** A Map that forgets its oldest keys past `limit`, so a long sync never holds the whole space. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: string, value: V): this {
    if (this.has(key)) this.delete(key);
    super.set(key, value);
    while (this.size > this.limit) {
      const oldest = this.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
    return this;
  }
}

/**
 * Finds the entries and assets a Rich Text document links to. Items already seen (sync pages carry
 * assets and entries, collections carry `includes`) are reused; the rest are fetched by id from the
 * same API, all locales, so embedded content renders the same whether it came by sync or by webhook.
 */
export class LinkResolver {
  private readonly entries = new BoundedMap<ContentfulEntity>(500);
  private readonly assets = new BoundedMap<ContentfulEntity>(5000);

  constructor(private readonly api: ContentfulApi) {}

  remember(entity: ContentfulEntity): void {
    if (entity.sys.type === "Entry") this.entries.set(entity.sys.id, entity);
    else if (entity.sys.type === "Asset") this.assets.set(entity.sys.id, entity);
    else if (entity.sys.type === "DeletedEntry") this.entries.delete(entity.sys.id);
    else if (entity.sys.type === "DeletedAsset") this.assets.delete(entity.sys.id);
  }

  rememberCollection(collection: ContentfulCollection): void {
    for (const item of collection.includes?.Entry ?? []) this.remember(item);
    for (const item of collection.includes?.Asset ?? []) this.remember(item);
  }

  async resolve(ids: LinkIds, signal: AbortSignal): Promise<LinkTargets> {
    const missingEntries = [...ids.entries].filter((id) => !this.entries.has(id));
    const missingAssets = [...ids.assets].filter((id) => !this.assets.has(id));
    if (missingEntries.length > 0) {
      for (const page of await this.api.entriesByIds(missingEntries, signal)) {
        for (const item of page.items) this.remember(item);
        this.rememberCollection(page);
      }
    }
    if (missingAssets.length > 0) {
      for (const page of await this.api.assetsByIds(missingAssets, signal)) {
        for (const item of page.items) this.remember(item);
      }
    }
    const pickFrom = (source: Map<string, ContentfulEntity>, wanted: Set<string>) => {
      const found = new Map<string, ContentfulEntity>();
      for (const id of wanted) {
        const item = source.get(id);
        if (item) found.set(id, item);
      }
      return found;
    };
    return { entries: pickFrom(this.entries, ids.entries), assets: pickFrom(this.assets, ids.assets) };
  }
}
