import { SandboxApiError } from "./errors.js";
import { pagesLink, readListPosition } from "./pagination.js";
import type { SandboxStore } from "./store.js";
import {
  parseCreateContentImportSource,
  parseCreateExternalPage,
  parseUpdateContentImportSource,
  parseUpdateExternalPage,
} from "./validation.js";

/** What a handler gets from the server for one authenticated API call. */
export interface ApiCall {
  /** The `{id}` of the path, when the route has one. */
  id: string | undefined;
  /** Parsed JSON body of POST/PUT (an object), undefined otherwise. */
  body: Record<string, unknown> | undefined;
  query: URLSearchParams;
  /** Origin used to build `pages.next` URLs, e.g. `http://127.0.0.1:4010`. */
  baseUrl: string;
  /** Unix seconds. */
  now: number;
}

export interface ApiAnswer {
  status: number;
  /** JSON body; undefined for 204. */
  body?: unknown;
}

export type ApiHandler = (call: ApiCall) => ApiAnswer;

function requireBody(call: ApiCall): Record<string, unknown> {
  if (call.body === undefined) {
    throw new SandboxApiError(400, [{ code: "bad_request", message: "Request body must be a JSON object" }]);
  }
  return call.body;
}

function sourceIdOf(call: ApiCall): number {
  // Source ids are integers: anything else cannot name a source.
  if (call.id === undefined || !/^[0-9]{1,15}$/.test(call.id)) throw SandboxApiError.notFound();
  return Number(call.id);
}

/** The handlers of the ten AI Content operations, over one store. */
export function aiContentHandlers(store: SandboxStore, defaultPerPage: number) {
  const requireSource = (sourceId: number) => {
    if (store.getSource(sourceId) === undefined) {
      throw new SandboxApiError(400, [
        {
          code: "parameter_invalid",
          message: `source_id ${sourceId} does not match any content import source`,
          field: "source_id",
        },
      ]);
    }
  };

  const listContentImportSources: ApiHandler = (call) => {
    const position = readListPosition(call.query, defaultPerPage);
    const { items, hasMore } = store.sourcesAfter(position.afterId, position.perPage);
    const last = items[items.length - 1];
    const next =
      hasMore && last !== undefined
        ? { baseUrl: call.baseUrl, path: "/ai/content_import_sources", lastId: last.id }
        : undefined;
    return {
      status: 200,
      body: {
        type: "list",
        data: items,
        pages: pagesLink(position, store.sourceCount, next),
        total_count: store.sourceCount,
      },
    };
  };

  const createContentImportSource: ApiHandler = (call) => {
    const write = parseCreateContentImportSource(requireBody(call));
    return { status: 200, body: store.createSource(write, call.now) };
  };

  const getContentImportSource: ApiHandler = (call) => {
    const source = store.getSource(sourceIdOf(call));
    if (source === undefined) throw SandboxApiError.notFound();
    return { status: 200, body: source };
  };

  const updateContentImportSource: ApiHandler = (call) => {
    const id = sourceIdOf(call);
    const current = store.getSource(id);
    if (current === undefined) throw SandboxApiError.notFound();
    const write = parseUpdateContentImportSource(requireBody(call), current);
    return { status: 200, body: store.updateSource(id, write, call.now) };
  };

  const deleteContentImportSource: ApiHandler = (call) => {
    if (store.deleteSource(sourceIdOf(call)) === undefined) throw SandboxApiError.notFound();
    return { status: 204 };
  };

  const listExternalPages: ApiHandler = (call) => {
    const position = readListPosition(call.query, defaultPerPage);
    const { items, hasMore } = store.pagesBefore(position.afterId, position.perPage);
    const last = items[items.length - 1];
    const next =
      hasMore && last !== undefined
        ? { baseUrl: call.baseUrl, path: "/ai/external_pages", lastId: Number(last.id) }
        : undefined;
    return {
      status: 200,
      body: {
        type: "list",
        data: items,
        pages: pagesLink(position, store.pageCount, next),
        total_count: store.pageCount,
      },
    };
  };

  const createExternalPage: ApiHandler = (call) => {
    const write = parseCreateExternalPage(requireBody(call));
    requireSource(write.source_id);
    return { status: 200, body: store.upsertPage(write, call.now).page };
  };

  const getExternalPage: ApiHandler = (call) => {
    const page = call.id === undefined ? undefined : store.getPage(call.id);
    if (page === undefined) throw SandboxApiError.notFound();
    return { status: 200, body: page };
  };

  const updateExternalPage: ApiHandler = (call) => {
    const id = call.id ?? "";
    if (store.getPage(id) === undefined) throw SandboxApiError.notFound();
    const update = parseUpdateExternalPage(requireBody(call));
    requireSource(update.source_id);
    return { status: 200, body: store.updatePage(id, update, call.now) };
  };

  const deleteExternalPage: ApiHandler = (call) => {
    const page = store.deletePage(call.id ?? "", call.now);
    if (page === undefined) throw SandboxApiError.notFound();
    // The spec's example answers the deleted page with its HTML emptied: the content is gone.
    return { status: 200, body: { ...page, html: "" } };
  };

  return {
    listContentImportSources,
    createContentImportSource,
    getContentImportSource,
    updateContentImportSource,
    deleteContentImportSource,
    listExternalPages,
    createExternalPage,
    getExternalPage,
    updateExternalPage,
    deleteExternalPage,
  };
}
