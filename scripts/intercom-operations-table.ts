/**
 * Prints the operationId → client method table of @content-sync/intercom and writes it into
 * packages/intercom/README.md between the marker comments.
 *
 * Usage: node --conditions=source --import tsx scripts/intercom-operations-table.ts [--print | --check]
 *   (no flag)  rewrite the table in the README
 *   --print    only print the table
 *   --check    exit 1 when the README's table is out of date (for CI)
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  OPERATIONS,
  type OperationSpec,
  type PaginationStyle,
} from "../packages/intercom/src/resources/operations.js";

export const TABLE_START = "<!-- operations-table:start -->";
export const TABLE_END = "<!-- operations-table:end -->";

const PAGINATION_LABELS: Readonly<Record<PaginationStyle, string>> = {
  nextUrl: "`pages.next` URL",
  cursor: "cursor `starting_after`",
  pageNumbers: "`page` / `per_page`",
  scroll: "scroll `scroll_param`",
  search: "search `pagination`",
};

/** The markdown table, one row per operation in spec order, padded the way biome formats markdown. */
export function operationsTable(operations: Readonly<Record<string, OperationSpec>> = OPERATIONS): string {
  const header = [
    "operationId",
    "HTTP",
    "client method",
    "path params (positional)",
    "pagination",
    "retry-safe POST",
  ];
  const rows = Object.entries(operations).map(([operationId, op]) => {
    const params = [...op.path.matchAll(/\{([^}]+)\}/g)].map((match) => `\`${match[1]}\``);
    return [
      `\`${operationId}\``,
      `\`${op.method} ${op.path}\``,
      `\`client.${op.resource}.${op.clientMethod}\``,
      params.join(", "),
      op.pagination ? `Paginator (${PAGINATION_LABELS[op.pagination]})` : "",
      op.method === "POST" && op.idempotent ? "yes" : "",
    ];
  });
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** `readme` with the text between the markers replaced by `table`. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`README needs the markers ${TABLE_START} and ${TABLE_END} (in that order)`);
  }
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const readmePath = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "..",
    "packages",
    "intercom",
    "README.md",
  );
  const table = operationsTable();
  const mode = process.argv[2];
  if (mode === "--print") {
    console.log(table);
  } else {
    const current = readFileSync(readmePath, "utf8");
    const next = withTable(current, table);
    if (mode === "--check") {
      if (next !== current) {
        console.error(
          `${readmePath}: operations table is out of date; run npm run operations-table -w @content-sync/intercom`,
        );
        process.exit(1);
      }
      console.log(
        `${readmePath}: operations table is up to date (${Object.keys(OPERATIONS).length} operations)`,
      );
    } else {
      writeFileSync(readmePath, next);
      console.log(`Wrote ${Object.keys(OPERATIONS).length} operations to ${readmePath}`);
    }
  }
}
