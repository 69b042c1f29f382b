import type { ConnectorRegistry } from "@content-sync/connectors";
import { z } from "zod";
import { buildConfigSchema } from "./schema.js";

/**
 * The config's JSON Schema for editors (completion and checks while typing). It describes the
 * input side: fields with defaults are optional. Checks zod runs in code (cron syntax, time zones,
 * duplicate ids) are not expressible here and stay in `content-sync config check`.
 */
export function configJsonSchema(registry: ConnectorRegistry): Record<string, unknown> {
  const schema = z.toJSONSchema(buildConfigSchema(registry), { io: "input", unrepresentable: "any" });
  return { ...schema, title: "content-sync configuration" };
}

/** The schema as the committed file holds it: two-space JSON with a final newline. */
export function renderConfigJsonSchema(registry: ConnectorRegistry): string {
  return `${JSON.stringify(configJsonSchema(registry), null, 2)}\n`;
}
