import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";

type DiscoverySchema = {
  id?: string;
  type?: string;
  $ref?: string;
  properties?: Record<string, DiscoverySchema>;
  items?: DiscoverySchema;
  additionalProperties?: DiscoverySchema;
  enum?: string[];
};

/** A Google discovery schema as JSON Schema: `$ref` by name → `#/definitions/Name`; no extra keys. */
function toJsonSchema(node: DiscoverySchema): Record<string, unknown> {
  if (node.$ref) return { $ref: `#/definitions/${node.$ref}` };
  const out: Record<string, unknown> = {};
  // Discovery types int64/uint64 values as strings with a `format`: the JSON type is what counts.
  if (node.type && node.type !== "any") out.type = node.type;
  if (node.enum) out.enum = node.enum;
  if (node.items) out.items = toJsonSchema(node.items);
  if (node.properties) {
    out.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, value]) => [key, toJsonSchema(value)]),
    );
  }
  if (node.additionalProperties) out.additionalProperties = toJsonSchema(node.additionalProperties);
  // A fixture that invents a field (a typo of `modifiedTime`) must fail: objects with declared
  // properties accept no others.
  else if (node.properties) out.additionalProperties = false;
  return out;
}

/**
 * Checks fixture answers against the schemas of a Google discovery document (Drive's `File`,
 * `FileList`, `ChangeList`…), which is not OpenAPI, with ajv. Discovery marks nothing as required,
 * so this checks names and types of what the fixture sends, not completeness.
 *
 * ```ts
 * const drive = DiscoverySchemas.load(sharedContract("google-drive/drive.v3.json")!);
 * expect(drive.errors("FileList", fixtureAnswer)).toEqual([]);
 * ```
 */
export class DiscoverySchemas {
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });

  private constructor(private readonly definitions: Record<string, unknown>) {}

  static load(file: string): DiscoverySchemas {
    const document = JSON.parse(readFileSync(file, "utf8")) as { schemas?: Record<string, DiscoverySchema> };
    const definitions = Object.fromEntries(
      Object.entries(document.schemas ?? {}).map(([name, schema]) => [name, toJsonSchema(schema)]),
    );
    return new DiscoverySchemas(definitions);
  }

  /** ajv's messages for `value` against the named schema; empty when it conforms. */
  errors(schemaName: string, value: unknown): string[] {
    if (!(schemaName in this.definitions))
      throw new Error(`the discovery document has no schema "${schemaName}"`);
    let validate = this.validators.get(schemaName);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `#/definitions/${schemaName}`, definitions: this.definitions });
      this.validators.set(schemaName, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${error.instancePath || "/"} ${error.message ?? "is invalid"}${error.params && "additionalProperty" in error.params ? ` (${String(error.params.additionalProperty)})` : ""}`,
    );
  }
}
