import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

/** Intercom's OpenAPI 2.12 spec, kept outside the repo (see the common test rules). */
export const SPEC_PATH = path.resolve(repoRoot, "..", "shared", "intercom", "openapi-2.12.yaml");
export const specAvailable = existsSync(SPEC_PATH);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Keywords of OpenAPI 3.0 schema objects that JSON Schema does not have (dropped). */
const OPENAPI_ONLY = new Set([
  "nullable",
  "example",
  "examples",
  "discriminator",
  "xml",
  "externalDocs",
  "deprecated",
]);

/**
 * Turns one OpenAPI 3.0 schema into JSON Schema: `nullable: true` becomes a null alternative,
 * `$ref`s point into `definitions`, OpenAPI-only keywords go. With `closed`, objects that list their
 * properties get `additionalProperties: false`, so an undocumented field in an answer fails.
 */
export function toJsonSchema(schema: Json, closed: boolean): Json {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, closed));
  if (!isObject(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (OPENAPI_ONLY.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") {
      out.$ref = value.replace("#/components/schemas/", "#/definitions/");
    } else if (key === "properties" && isObject(value)) {
      out.properties = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub, closed)]),
      );
    } else {
      out[key] = toJsonSchema(value, closed);
    }
  }
  if (
    closed &&
    isObject(out.properties) &&
    out.additionalProperties === undefined &&
    out.allOf === undefined
  ) {
    out.additionalProperties = false;
  }
  if (schema.nullable === true) {
    if (out.$ref !== undefined) {
      const { $ref, ...rest } = out;
      return { ...rest, anyOf: [{ $ref }, { type: "null" }] } as JsonObject;
    }
    if (typeof out.type === "string") out.type = [out.type, "null"];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
  }
  // The spec repeats some enum values (and some enums already list null): JSON Schema wants them unique.
  if (Array.isArray(out.enum)) out.enum = [...new Set(out.enum)];
  return out;
}

export interface SpecValidators {
  /** The validator of an operation's response body for a status, from the spec's `responses`. */
  response(pathTemplate: string, method: string, status: number): ValidateFunction;
  /** Whether the spec documents that status for the operation. */
  documents(pathTemplate: string, method: string, status: number): boolean;
  /** A validator for a component schema by name. */
  component(name: string): ValidateFunction;
}

/** Loads the spec and compiles validators for response bodies (closed objects, formats checked). */
export function loadSpecValidators(): SpecValidators {
  const spec = parse(readFileSync(SPEC_PATH, "utf8")) as JsonObject;
  const components = (spec.components as JsonObject).schemas as JsonObject;
  const definitions = Object.fromEntries(
    Object.entries(components).map(([name, schema]) => [name, toJsonSchema(schema, true)]),
  );
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "intercom", definitions });
  const paths = spec.paths as JsonObject;

  const responseOf = (pathTemplate: string, method: string, status: number): JsonObject | undefined => {
    const operation = (paths[pathTemplate] as JsonObject | undefined)?.[method.toLowerCase()];
    if (!isObject(operation)) throw new Error(`the spec has no ${method} ${pathTemplate}`);
    const response = (operation.responses as JsonObject)[String(status)];
    return isObject(response) ? response : undefined;
  };

  return {
    documents: (pathTemplate, method, status) => responseOf(pathTemplate, method, status) !== undefined,
    response(pathTemplate, method, status) {
      const response = responseOf(pathTemplate, method, status);
      const schema = (
        (response?.content as JsonObject | undefined)?.["application/json"] as JsonObject | undefined
      )?.schema;
      if (!isObject(schema))
        throw new Error(`the spec gives no JSON body for ${status} of ${method} ${pathTemplate}`);
      const converted = toJsonSchema(schema, true) as JsonObject;
      const ref = typeof converted.$ref === "string" ? `intercom${converted.$ref}` : undefined;
      if (ref === undefined) return ajv.compile({ ...converted, definitions });
      const validate = ajv.getSchema(ref);
      if (validate === undefined) throw new Error(`cannot resolve ${ref}`);
      return validate;
    },
    component(name) {
      const validate = ajv.getSchema(`intercom#/definitions/${name}`);
      if (validate === undefined) throw new Error(`the spec has no component ${name}`);
      return validate;
    },
  };
}
