import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  operationsTable,
  TABLE_END,
  TABLE_START,
  withTable,
} from "../../../../scripts/intercom-operations-table.js";
import { OPERATIONS } from "../../src/resources/operations.js";
import { repoRoot } from "./spec-file.js";

describe("operations table", () => {
  const table = operationsTable();

  it("has one row per operation, naming its client method", () => {
    const rows = table.split("\n").slice(2);
    expect(rows).toHaveLength(Object.keys(OPERATIONS).length);
    expect(rows.find((row) => row.startsWith("| `lisDataAttributes`"))).toContain(
      "`client.dataAttributes.list`",
    );
    expect(rows.find((row) => row.startsWith("| `createExternalPage`"))).toMatch(/\| yes +\|$/);
  });

  it("is up to date in the README", () => {
    const readme = readFileSync(path.join(repoRoot, "packages", "intercom", "README.md"), "utf8");
    expect(withTable(readme, table)).toBe(readme);
  });

  it("refuses a README without the markers", () => {
    expect(() => withTable("# nothing here", table)).toThrow(TABLE_START);
    expect(() => withTable(`${TABLE_END}\n${TABLE_START}`, table)).toThrow(/in that order/);
  });
});
