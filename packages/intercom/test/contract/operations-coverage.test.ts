import { describe, expect, it } from "vitest";
import { IntercomClient } from "../../src/client.js";
import { OPERATIONS, type OperationSpec } from "../../src/resources/operations.js";
import { loadSpecOperations, specAvailable } from "./spec-file.js";

describe.skipIf(!specAvailable)("operation coverage against the OpenAPI spec", () => {
  const specOperations = specAvailable ? loadSpecOperations() : [];
  const operations: Readonly<Record<string, OperationSpec>> = OPERATIONS;
  const client = new IntercomClient({ token: "coverage-test", baseUrl: "http://127.0.0.1:9" });

  it("reads all 118 operations of the spec", () => {
    expect(specOperations).toHaveLength(118);
  });

  it("maps every operationId of the spec to a client method", () => {
    const missing = specOperations.map((op) => op.operationId).filter((id) => !(id in operations));
    expect(missing, `operations the client lacks: ${missing.join(", ")}`).toEqual([]);
  });

  it("names only methods that exist on the client", () => {
    const broken = Object.entries(operations)
      .filter(([, op]) => {
        const resource = (client as unknown as Record<string, Record<string, unknown> | undefined>)[
          op.resource
        ];
        return typeof resource?.[op.clientMethod] !== "function";
      })
      .map(([id, op]) => `${id} → ${op.resource}.${op.clientMethod}`);
    expect(broken, `map entries without a client method: ${broken.join(", ")}`).toEqual([]);
  });

  it("records each operation's HTTP method and path exactly as the spec does", () => {
    const mismatched = specOperations
      .filter((op) => {
        const mapped = operations[op.operationId];
        return mapped && (mapped.method !== op.method || mapped.path !== op.path);
      })
      .map((op) => op.operationId);
    expect(mismatched).toEqual([]);
  });

  it("has no entries for operations the spec does not define", () => {
    const known = new Set(specOperations.map((op) => op.operationId));
    expect(Object.keys(operations).filter((id) => !known.has(id))).toEqual([]);
  });

  it("gives every operation its own client method", () => {
    const methods = Object.values(operations).map((op) => `${op.resource}.${op.clientMethod}`);
    expect(new Set(methods).size).toBe(methods.length);
  });
});
