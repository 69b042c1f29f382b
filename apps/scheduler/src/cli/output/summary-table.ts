import type { RunSummary } from "@content-sync/sync";

const COLUMNS = [
  ["source", (s: RunSummary) => s.sourceId],
  ["mode", (s: RunSummary) => (s.dryRun ? `${s.mode} (plan)` : s.mode)],
  ["created", (s: RunSummary) => String(s.created)],
  ["updated", (s: RunSummary) => String(s.updated)],
  ["unchanged", (s: RunSummary) => String(s.unchanged)],
  ["deleted", (s: RunSummary) => String(s.deleted)],
  ["failed", (s: RunSummary) => String(s.failed)],
  ["skipped", (s: RunSummary) => String(s.skipped)],
  ["api calls", (s: RunSummary) => `${s.apiCalls} (${s.writeCalls} writes)`],
  ["time", (s: RunSummary) => formatDuration(s.durationMs)],
] as const;

/** A plain-text table, one row per source, aligned for terminals and readable in CI logs. */
export function renderSummaryTable(summaries: readonly RunSummary[]): string {
  const rows = [
    COLUMNS.map(([title]) => title),
    ...summaries.map((summary) => COLUMNS.map(([, cell]) => cell(summary))),
  ];
  const widths = COLUMNS.map((_, index) => Math.max(...rows.map((row) => row[index]?.length ?? 0)));
  const render = (row: readonly string[]) =>
    row
      .map((cell, index) => (index < 2 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0)))
      .join("  ")
      .trimEnd();
  const [header, ...body] = rows;
  const rule = widths.map((width) => "─".repeat(width)).join("  ");
  return [render(header ?? []), rule, ...body.map(render)].join("\n");
}

/** Details a table cannot hold: failures, blocked deletions, incomplete listings. */
export function renderProblems(summary: RunSummary): string[] {
  const lines: string[] = [];
  if (summary.status !== "succeeded")
    lines.push(`${summary.sourceId}: ${summary.status}: ${summary.headline}`);
  for (const failure of summary.failures)
    lines.push(`${summary.sourceId}: ✗ ${failure.externalId}: ${failure.reason}`);
  if (summary.failed > summary.failures.length) {
    lines.push(
      `${summary.sourceId}: … and ${summary.failed - summary.failures.length} more failures (see the logs)`,
    );
  }
  return lines;
}

export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1_000)} s`;
}
