import { createHash } from "node:crypto";
import type { Availability } from "../config/types.js";
import type { ExternalPagePayload, ExternalPageView } from "./intercom-api.js";

export interface PayloadInput {
  externalId: string;
  title: string;
  html: string;
  url?: string | undefined;
  contentImportSourceId: number;
  availability: Availability;
}

export function buildPayload(input: PayloadInput): ExternalPagePayload {
  return {
    title: input.title,
    html: input.html,
    ...(input.url ? { url: input.url } : {}),
    locale: "en",
    source_id: input.contentImportSourceId,
    external_id: input.externalId,
    ai_agent_availability: input.availability.aiAgent,
    ai_copilot_availability: input.availability.aiCopilot,
  };
}

/** SHA-256 (hex) of the payload as canonical JSON: keys sorted, absent values omitted. */
export function payloadHash(payload: ExternalPagePayload): string {
  return sha256(canonicalJson(payload));
}

/** The hash the page would have if we had sent it: what reconcile compares with the stored hash. */
export function remotePageHash(page: ExternalPageView): string {
  return payloadHash({
    title: page.title,
    html: page.html,
    ...(page.url ? { url: page.url } : {}),
    locale: "en",
    source_id: page.source_id,
    external_id: page.external_id,
    ai_agent_availability: page.ai_agent_availability,
    ai_copilot_availability: page.ai_copilot_availability,
  });
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
