import { type ApiErrorEntry, SandboxApiError } from "./errors.js";
import type { PageUpdate, PageWrite, SourceWrite } from "./store.js";
import type { ContentImportSource } from "./types.js";

type Body = Record<string, unknown>;

/**
 * Collects every problem of one request body, so a single `error.list` names all bad fields (codes
 * as in the spec's examples: `parameter_not_found` for a missing field, `parameter_invalid` for a
 * wrong one; both answered 400).
 */
class FieldChecker {
  readonly errors: ApiErrorEntry[] = [];

  constructor(private readonly body: Body) {}

  private missing(field: string): undefined {
    this.errors.push({ code: "parameter_not_found", message: `${field} is a required parameter`, field });
    return undefined;
  }

  invalid(field: string, message: string): undefined {
    this.errors.push({ code: "parameter_invalid", message: `${field} ${message}`, field });
    return undefined;
  }

  string(field: string, required: boolean, options: { nonBlank?: boolean } = {}): string | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return required ? this.missing(field) : undefined;
    if (typeof value !== "string") return this.invalid(field, "must be a string");
    if (options.nonBlank === true && value.trim() === "") return this.invalid(field, "must not be blank");
    return value;
  }

  integer(field: string): number | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return this.missing(field);
    if (typeof value !== "number" || !Number.isSafeInteger(value))
      return this.invalid(field, "must be an integer");
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== "boolean") return this.invalid(field, "must be a boolean");
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], required: boolean): T | undefined {
    const value = this.string(field, required);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      return this.invalid(field, `must be one of: ${allowed.join(", ")}`);
    }
    return value as T;
  }

  /** An absolute http(s) URL; `null` is kept (it clears the stored URL on update). */
  url(field: string, required: boolean): string | null | undefined {
    if (this.body[field] === null && !required) return null;
    const value = this.string(field, required);
    if (value === undefined) return undefined;
    if (!isHttpUrl(value)) return this.invalid(field, "must be an absolute http or https URL");
    return value;
  }

  locale(): void {
    this.oneOf("locale", ["en"], true);
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new SandboxApiError(400, this.errors);
  }
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:";
}

/** Body of `POST /ai/external_pages` (`create_external_page_request`). */
export function parseCreateExternalPage(body: Body): PageWrite {
  const check = new FieldChecker(body);
  const title = check.string("title", true, { nonBlank: true });
  const html = check.string("html", true);
  const url = check.url("url", false);
  const agent = check.boolean("ai_agent_availability");
  const copilot = check.boolean("ai_copilot_availability");
  const salesAgent = check.boolean("ai_sales_agent_availability");
  check.locale();
  const sourceId = check.integer("source_id");
  const externalId = check.string("external_id", true, { nonBlank: true });
  check.throwIfAny();
  return {
    title: title as string,
    html: html as string,
    url,
    ai_agent_availability: agent,
    ai_copilot_availability: copilot,
    ai_sales_agent_availability: salesAgent,
    source_id: sourceId as number,
    external_id: externalId as string,
  };
}

/**
 * Body of `PUT /ai/external_pages/{id}` (`update_external_page_request`: title, html, url, locale
 * and source_id required). The availability flags are kept when omitted; the deprecated
 * `fin_availability` sets `ai_agent_availability` when that is not given.
 */
export function parseUpdateExternalPage(body: Body): PageUpdate {
  const check = new FieldChecker(body);
  const title = check.string("title", true, { nonBlank: true });
  const html = check.string("html", true);
  const url = check.url("url", true);
  const fin = check.boolean("fin_availability");
  const agent = check.boolean("ai_agent_availability");
  const copilot = check.boolean("ai_copilot_availability");
  const salesAgent = check.boolean("ai_sales_agent_availability");
  check.locale();
  const sourceId = check.integer("source_id");
  const externalId = check.string("external_id", false, { nonBlank: true });
  check.throwIfAny();
  return {
    title: title as string,
    html: html as string,
    url: url as string,
    ai_agent_availability: agent ?? fin,
    ai_copilot_availability: copilot,
    ai_sales_agent_availability: salesAgent,
    source_id: sourceId as number,
    external_id: externalId,
  };
}

/** Body of `POST /ai/content_import_sources`: only `sync_behavior: api` can be created. */
export function parseCreateContentImportSource(body: Body): SourceWrite {
  const check = new FieldChecker(body);
  const syncBehavior = check.oneOf("sync_behavior", ["api"], true);
  const status = check.oneOf("status", ["active", "deactivated"], false);
  const url = check.url("url", true);
  check.throwIfAny();
  return { sync_behavior: syncBehavior as "api", status, url: url as string };
}

/**
 * Body of `PUT /ai/content_import_sources/{id}`. As the spec says, `sync_behavior` cannot change
 * to or from `api`, and the URL may only change when the sync behaviour is `api`.
 */
export function parseUpdateContentImportSource(body: Body, current: ContentImportSource): SourceWrite {
  const check = new FieldChecker(body);
  const syncBehavior = check.oneOf("sync_behavior", ["api", "automated", "manual"], true);
  const status = check.oneOf("status", ["active", "deactivated"], false);
  const url = check.url("url", true);
  if (syncBehavior !== undefined && (syncBehavior === "api") !== (current.sync_behavior === "api")) {
    check.invalid("sync_behavior", `cannot change from ${current.sync_behavior} to ${syncBehavior}`);
  }
  if (typeof url === "string" && url !== current.url && current.sync_behavior !== "api") {
    check.invalid("url", "can only change when sync_behavior is api");
  }
  check.throwIfAny();
  return { sync_behavior: syncBehavior as ContentImportSource["sync_behavior"], status, url: url as string };
}
