import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";

/** OpenAPI 3.0 schemas as JSON Schema: `nullable: true` admits null; see the allOf note below. */
function withNulls(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withNulls);
  if (typeof node !== "object" || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = withNulls(value);
  // Graph's PowerShell-style files put `additionalProperties: {type: object}` on each part of an
  // allOf; in JSON Schema that would reject the properties the other parts declare. It means
  // "open for extension" there, which is the default anyway.
  const extra = out.additionalProperties as { type?: unknown } | undefined;
  if (extra && typeof extra === "object" && Object.keys(extra).length === 1 && extra.type === "object") {
    delete out.additionalProperties;
  }
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.type === undefined && (out.$ref || out.allOf || out.anyOf || out.oneOf)) {
      return { anyOf: [{ type: "null" }, out] };
    }
  }
  return out;
}

/**
 * Checks fixture answers against the component schemas of an OpenAPI file with ajv, without a
 * server in between: for descriptions too large for a Prism proxy to load quickly (the Graph
 * subset). `errors("microsoft.graph.driveItem", answer)` lists what does not conform.
 */
export class OpenApiSchemas {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  private constructor(private readonly components: { schemas?: Record<string, unknown> }) {}

  static load(file: string): OpenApiSchemas {
    const text = readFileSync(file, "utf8");
    const document = (file.endsWith(".json") ? JSON.parse(text) : parse(text)) as { components?: object };
    return new OpenApiSchemas(withNulls(document.components ?? {}) as { schemas?: Record<string, unknown> });
  }

  /** ajv's messages for `value` against `#/components/schemas/<name>`; empty when it conforms. */
  errors(schemaName: string, value: unknown): string[] {
    if (!this.components.schemas || !(schemaName in this.components.schemas)) {
      throw new Error(`the OpenAPI file has no schema "${schemaName}"`);
    }
    let validate = this.validators.get(schemaName);
    if (!validate) {
      validate = this.ajv.compile({
        $ref: `#/components/schemas/${schemaName}`,
        components: this.components,
      });
      this.validators.set(schemaName, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) => `${error.instancePath || "/"} ${error.message ?? "is invalid"}`,
    );
  }
}
