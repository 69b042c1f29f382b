import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/** The repository root (this file sits in packages/intercom/test/contract). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** Intercom's OpenAPI 2.12 spec lives next to the repository, never inside it. */
export const specPath = path.resolve(repoRoot, "..", "shared", "intercom", "openapi-2.12.yaml");

export const specAvailable = existsSync(specPath);
if (!specAvailable) {
  console.warn(`Intercom OpenAPI spec not found at ${specPath}: skipping the tests that need it.`);
}

export interface SpecExample {
  value?: unknown;
}

export interface SpecParameter {
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
}

export interface SpecOperation {
  operationId: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  parameters: SpecParameter[];
  requestExamples: Record<string, SpecExample>;
}

interface RawOperation {
  operationId?: string;
  parameters?: SpecParameter[];
  requestBody?: { content?: Record<string, { examples?: Record<string, SpecExample> }> };
}

/** Every operation of the spec, in spec order. */
export function loadSpecOperations(): SpecOperation[] {
  const spec = parse(readFileSync(specPath, "utf8")) as {
    paths: Record<string, Record<string, RawOperation>>;
  };
  const operations: SpecOperation[] = [];
  for (const [route, item] of Object.entries(spec.paths)) {
    for (const method of ["get", "post", "put", "delete"] as const) {
      const raw = item[method];
      if (!raw?.operationId) continue;
      operations.push({
        operationId: raw.operationId,
        method: method.toUpperCase() as SpecOperation["method"],
        path: route,
        parameters: raw.parameters ?? [],
        requestExamples: raw.requestBody?.content?.["application/json"]?.examples ?? {},
      });
    }
  }
  return operations;
}
