/**
 * Generates TypeScript types and zod schemas for @content-sync/intercom from Intercom's OpenAPI 2.12 spec.
 *
 * Usage: node --import tsx scripts/generate-intercom.ts [spec path]
 * The spec path defaults to `../shared/intercom/openapi-2.12.yaml` relative to the repository root.
 *
 * Output (committed, excluded from biome): packages/intercom/src/generated/{types,schemas,index}.ts.
 * Only names, types and enums are emitted: the spec's prose stays out of the repository.
 *
 * Every object schema becomes a zod `looseObject`, because Intercom adds fields without a version bump
 * and a client that rejects unknown fields would break on the next deploy of theirs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The subset of JSON Schema (OpenAPI 3.0 flavour) that the spec uses. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
}

interface MediaType {
  schema?: Schema;
}

interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { content?: Record<string, MediaType> }>;
}

export interface Spec {
  paths: Record<string, Record<string, Operation | Parameter[]>>;
  components: { schemas: Record<string, Schema> };
}

const HTTP_METHODS = ["get", "post", "put", "delete", "patch"] as const;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Where the generated files go. */
export const GENERATED_DIR = path.resolve(repoRoot, "packages", "intercom", "src", "generated");

const pascal = (name: string): string =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");

const propertyKey = (key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key));

const refName = (ref: string): string => {
  const prefix = "#/components/schemas/";
  if (!ref.startsWith(prefix)) throw new Error(`Unsupported $ref ${ref}: only component schemas are handled`);
  return pascal(ref.slice(prefix.length));
};

/** Drops wrappers that add nothing: a oneOf/anyOf/allOf with a single member and no siblings. */
const unwrap = (schema: Schema): Schema => {
  for (const key of ["oneOf", "anyOf", "allOf"] as const) {
    const members = schema[key];
    if (members?.length === 1 && !schema.properties && !schema.type) {
      return unwrap({ ...members[0]!, nullable: schema.nullable || members[0]!.nullable });
    }
  }
  return schema;
};

interface Emitted {
  ts: string;
  zod: string;
}

const isPlainObject = (schema: Schema): boolean =>
  (schema.type === "object" || schema.properties !== undefined) &&
  !schema.allOf &&
  !schema.oneOf &&
  !schema.anyOf &&
  !schema.nullable &&
  schema.properties !== undefined;

const literal = (value: unknown): string => JSON.stringify(value);

function emit(input: Schema, indent: string): Emitted {
  const schema = unwrap(input);
  const nullable = schema.nullable === true;
  const wrap = (e: Emitted): Emitted => (nullable ? { ts: `${e.ts} | null`, zod: `${e.zod}.nullable()` } : e);

  if (schema.$ref) {
    const name = refName(schema.$ref);
    return wrap({ ts: name, zod: `z.lazy(() => ${name}Schema)` });
  }

  const variants = requiredOnlyVariants(schema);
  if (variants) {
    // `anyOf: [{ required: [a] }, { required: [b] }]` next to `properties`: the object with either set
    // of keys required. Emitted as a union of the object with each set.
    const members = variants.map((required) =>
      emitObject({ ...schema, required: [...(schema.required ?? []), ...required] }, indent),
    );
    return wrap({
      ts: `(${members.map((m) => m.ts).join(" | ")})`,
      zod: `z.union([${members.map((m) => m.zod).join(", ")}])`,
    });
  }

  const parts: Emitted[] = [];
  const combinator = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (combinator) {
    const members = combinator.map((member) => emit(member, indent));
    if (schema.allOf) parts.push(...members);
    else if (members.length === 1) parts.push(members[0]!);
    else
      parts.push({
        ts: `(${members.map((m) => m.ts).join(" | ")})`,
        zod: `z.union([${members.map((m) => m.zod).join(", ")}])`,
      });
  }
  if (schema.properties || (schema.type === "object" && !combinator)) parts.push(emitObject(schema, indent));
  else if (!combinator) parts.push(emitScalar(schema, indent));

  if (parts.length === 1) return wrap(parts[0]!);
  const [first, ...rest] = parts;
  return wrap({
    ts: `(${parts.map((p) => p.ts).join(" & ")})`,
    zod: rest.reduce((acc, part) => `z.intersection(${acc}, ${part.zod})`, first!.zod),
  });
}

/** The key sets of a oneOf/anyOf whose members only list required keys of the sibling `properties`. */
function requiredOnlyVariants(schema: Schema): string[][] | undefined {
  const members = schema.oneOf ?? schema.anyOf;
  if (!schema.properties || !members || schema.allOf) return undefined;
  const onlyRequired = members.every(
    (m) => m.required && !m.$ref && !m.type && !m.properties && !m.allOf && !m.oneOf && !m.anyOf,
  );
  return onlyRequired ? members.map((m) => m.required ?? []) : undefined;
}

function emitObject(schema: Schema, indent: string): Emitted {
  const props = Object.entries(schema.properties ?? {});
  const extra = schema.additionalProperties;
  if (props.length === 0) {
    const value = typeof extra === "object" ? emit(extra, indent) : { ts: "unknown", zod: "z.unknown()" };
    return { ts: `Record<string, ${value.ts}>`, zod: `z.record(z.string(), ${value.zod})` };
  }
  const required = new Set(schema.required ?? []);
  const inner = `${indent}  `;
  const tsLines: string[] = [];
  const zodLines: string[] = [];
  for (const [key, propSchema] of props) {
    const value = emit(propSchema, inner);
    const optional = !required.has(key);
    tsLines.push(`${inner}${propertyKey(key)}${optional ? "?" : ""}: ${value.ts};`);
    zodLines.push(`${inner}${propertyKey(key)}: ${value.zod}${optional ? ".optional()" : ""},`);
  }
  return {
    ts: `{\n${tsLines.join("\n")}\n${indent}}`,
    zod: `z.looseObject({\n${zodLines.join("\n")}\n${indent}})`,
  };
}

function emitScalar(schema: Schema, indent: string): Emitted {
  if (schema.enum) {
    const values = schema.enum.filter((v) => v !== null);
    if (values.every((v) => typeof v === "string")) {
      return { ts: values.map(literal).join(" | "), zod: `z.enum([${values.map(literal).join(", ")}])` };
    }
    return {
      ts: values.map(literal).join(" | "),
      zod: `z.union([${values.map((v) => `z.literal(${literal(v)})`).join(", ")}])`,
    };
  }
  switch (schema.type) {
    case "string":
      return { ts: "string", zod: "z.string()" };
    case "integer":
    case "number":
      return { ts: "number", zod: "z.number()" };
    case "boolean":
      return { ts: "boolean", zod: "z.boolean()" };
    case "array": {
      const item = schema.items ? emit(schema.items, indent) : { ts: "unknown", zod: "z.unknown()" };
      return { ts: `Array<${item.ts}>`, zod: `z.array(${item.zod})` };
    }
    case undefined:
      return { ts: "unknown", zod: "z.unknown()" };
    default:
      throw new Error(`Unsupported schema type ${schema.type}`);
  }
}

interface NamedSchema {
  name: string;
  schema: Schema;
}

interface QueryType {
  name: string;
  params: Parameter[];
}

function collect(spec: Spec): { named: NamedSchema[]; queries: QueryType[] } {
  const components = structuredClone(spec.components.schemas);
  const named: NamedSchema[] = Object.entries(components).map(([key, schema]) => ({
    name: pascal(key),
    schema,
  }));
  // A request body of `null` means nothing to Intercom, so component schemas used as bodies lose their
  // top-level `nullable` (the spec marks a few of them nullable).
  for (const item of Object.values(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Operation | undefined;
      const body = op?.requestBody?.content?.["application/json"]?.schema;
      const ref = body ? unwrap(body).$ref : undefined;
      const component = ref ? components[ref.slice("#/components/schemas/".length)] : undefined;
      if (component) delete component.nullable;
    }
  }
  const taken = new Set(named.map((n) => n.name));
  const addInline = (name: string, schema: Schema | undefined): void => {
    if (!schema) return;
    const unwrapped = unwrap(schema);
    if (unwrapped.$ref && !unwrapped.nullable) return;
    if (taken.has(name)) throw new Error(`Generated name ${name} collides with a component schema`);
    taken.add(name);
    named.push({ name, schema });
  };
  const queries: QueryType[] = [];
  for (const item of Object.values(spec.paths)) {
    for (const method of HTTP_METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const base = pascal(op.operationId);
      addInline(`${base}Request`, op.requestBody?.content?.["application/json"]?.schema);
      const ok = op.responses?.["200"] ?? op.responses?.["201"] ?? op.responses?.["202"];
      addInline(`${base}Response`, ok?.content?.["application/json"]?.schema);
      const queryParams = (op.parameters ?? []).filter((p) => p.in === "query");
      if (queryParams.length > 0) queries.push({ name: `${base}Query`, params: queryParams });
    }
  }
  return { named, queries };
}

const HEADER = `// Generated by scripts/generate-intercom.ts from Intercom's OpenAPI 2.12 spec. Do not edit by hand:
// change the generator and run \`npm run generate -w @content-sync/intercom\`.
`;

/** The generated files (name → content) for a parsed spec. */
export function render(spec: Spec): Record<string, string> {
  const { named, queries } = collect(spec);
  const types: string[] = [HEADER];
  const schemas: string[] = [HEADER, `import { z } from "zod";`, `import type * as T from "./types.js";`, ""];
  for (const { name, schema } of named) {
    const emitted = emit(schema, "");
    const unwrapped = unwrap(schema);
    if (isPlainObject(unwrapped)) types.push(`export interface ${name} ${emitted.ts}\n`);
    else types.push(`export type ${name} = ${emitted.ts};\n`);
    schemas.push(`export const ${name}Schema: z.ZodType<T.${name}> = ${emitted.zod};\n`);
  }
  for (const { name, params } of queries) {
    const lines = params.map((p) => {
      const value = p.schema ? emit(p.schema, "  ").ts : "string";
      return `  ${propertyKey(p.name)}${p.required ? "" : "?"}: ${value};`;
    });
    types.push(`export interface ${name} {\n${lines.join("\n")}\n}\n`);
  }
  return {
    "types.ts": types.join("\n"),
    "schemas.ts": schemas.join("\n"),
    "index.ts": `${HEADER}\nexport type * from "./types.js";\nexport * from "./schemas.js";\n`,
  };
}

/** Reads the YAML spec at `specPath` and renders the generated files. */
export function renderFromFile(specPath: string): Record<string, string> {
  return render(parse(readFileSync(specPath, "utf8")) as Spec);
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const specPath = path.resolve(
    process.argv[2] ?? path.resolve(repoRoot, "..", "shared", "intercom", "openapi-2.12.yaml"),
  );
  const files = renderFromFile(specPath);
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(path.join(GENERATED_DIR, file), content);
  console.log(`Wrote ${Object.keys(files).length} files to ${GENERATED_DIR} from ${specPath}`);
}
