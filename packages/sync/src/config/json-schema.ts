import type { ConnectorRegistry } from "@content-sync/connectors/core";
import { z } from "zod";
import { buildConfigSchema } from "./schema.js";

type JsonObject = Record<string, unknown>;

/**
 * String formats zod writes for its own checks (`startsWith`, `endsWith`, `includes`). They are not
 * JSON Schema formats, so strict validators (ajv strict mode) reject the whole schema over them; zod
 * writes the same rule as a `pattern` beside them, so dropping the format loses nothing.
 */
const ZOD_ONLY_FORMATS = new Set(["starts_with", "ends_with", "includes"]);

/**
 * The config's JSON Schema for editors (completion and checks while typing) and CI validators. It
 * describes the input side: fields with defaults are optional. Checks zod runs in code (cron syntax,
 * time zones, duplicate ids) are not expressible here and stay in `content-sync config check`.
 *
 * Valid under ajv's strict mode (draft 2020-12), and a source is discriminated by `type`: a wrong
 * type is one error (`type` must be one of the connector types), and a right one is checked against
 * its connector's options only, instead of a `oneOf` listing every branch's failures.
 *
 * Every connector's options are in it, so the registry must have them all: `await registry.loadAll()`.
 */
export function configJsonSchema(registry: ConnectorRegistry): JsonObject {
  const unloaded = registry.types().filter((type) => !registry.isLoaded(type));
  if (unloaded.length > 0) {
    throw new Error(
      `configJsonSchema needs every connector's options schema; not loaded: ${unloaded.join(", ")} (await registry.loadAll() first)`,
    );
  }
  const schema = z.toJSONSchema(buildConfigSchema(registry), {
    io: "input",
    unrepresentable: "any",
    override: ({ jsonSchema }) => {
      if (typeof jsonSchema.format === "string" && ZOD_ONLY_FORMATS.has(jsonSchema.format)) {
        delete jsonSchema.format;
      }
    },
  }) as JsonObject;
  const sources = (schema.properties as JsonObject | undefined)?.sources as JsonObject | undefined;
  const items = sources?.items as JsonObject | undefined;
  if (!sources || !Array.isArray(items?.oneOf)) {
    throw new Error("the config schema's sources are not a union of connector types");
  }
  sources.items = discriminatedByType(items.oneOf as JsonObject[]);
  return { ...schema, title: "content-sync configuration" };
}

/**
 * `oneOf: [A, B, …]` (each with `type: {const}`) as `if type is A then A` rules under a base that
 * only knows `type`: validators report the enum error for an unknown type and one branch's errors
 * for a known one.
 */
function discriminatedByType(branches: readonly JsonObject[]): JsonObject {
  const types = branches.map((branch) => {
    const type = ((branch.properties as JsonObject | undefined)?.type as JsonObject | undefined)?.const;
    if (typeof type !== "string") throw new Error("a source branch of the config schema has no type const");
    return type;
  });
  return {
    type: "object",
    description: "One source: its `type` picks the connector and so the shape of `options`.",
    required: ["type"],
    properties: {
      type: { type: "string", enum: types, description: "Connector type." },
    },
    allOf: branches.map((branch, index) => ({
      if: { type: "object", properties: { type: { const: types[index] } }, required: ["type"] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited.
      then: branch,
    })),
  };
}

/** The schema as the committed file holds it: two-space JSON with a final newline. */
export function renderConfigJsonSchema(registry: ConnectorRegistry): string {
  return `${JSON.stringify(configJsonSchema(registry), null, 2)}\n`;
}
