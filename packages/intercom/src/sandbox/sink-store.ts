import { createHash } from "node:crypto";
import { type PageWrite, SandboxStore, type UpsertResult } from "./store.js";
import type { ExternalPage } from "./types.js";

/**
 * The store behind sink mode: sources are kept as usual, pages are answered and forgotten. A page's
 * id is derived from its source and external id (48 bits of a SHA-1), so re-sending a page answers
 * the same id, as Intercom's upsert does, without remembering anything per page.
 */
export class SinkStore extends SandboxStore {
  override upsertPage(write: PageWrite, now: number): UpsertResult {
    const agent = write.ai_agent_availability ?? false;
    const page: ExternalPage = {
      type: "external_page",
      id: sinkPageId(write.source_id, write.external_id),
      title: write.title,
      html: write.html,
      ...(typeof write.url === "string" ? { url: write.url } : {}),
      ai_agent_availability: agent,
      ai_copilot_availability: write.ai_copilot_availability ?? false,
      ai_sales_agent_availability: write.ai_sales_agent_availability ?? false,
      fin_availability: agent,
      locale: "en",
      source_id: write.source_id,
      external_id: write.external_id,
      created_at: now,
      updated_at: now,
      last_ingested_at: now,
    };
    // Whether the page existed is not known: Intercom answers 200 either way, and so does the sink.
    return { page, created: false, changed: true };
  }

  override deletePage(id: string, now: number): ExternalPage | undefined {
    if (!/^[0-9]{1,16}$/.test(id)) return undefined;
    return {
      type: "external_page",
      id,
      title: "",
      html: "",
      ai_agent_availability: false,
      ai_copilot_availability: false,
      ai_sales_agent_availability: false,
      fin_availability: false,
      locale: "en",
      source_id: 0,
      external_id: "",
      created_at: now,
      updated_at: now,
      last_ingested_at: now,
    };
  }
}

/** A decimal id below 2^48, the same for the same source and external id. */
export function sinkPageId(sourceId: number, externalId: string): string {
  const digest = createHash("sha1").update(`${sourceId}\u0000${externalId}`).digest();
  return String(digest.readUIntBE(0, 6) || 1);
}
