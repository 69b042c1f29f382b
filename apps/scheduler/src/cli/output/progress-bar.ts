import type { RunProgress } from "@content-sync/sync";

const WIDTH = 24;
/** Redraw at most this often: terminals are slow and runs can process thousands of documents a second. */
const REDRAW_MS = 80;

/**
 * One-line progress display on a TTY. The total is an estimate (pages synced last time); while a
 * listing streams past it the bar stays full and the count keeps going.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { columns?: number },
    private readonly label: string,
    private readonly expectedTotal: number,
  ) {}

  update(progress: RunProgress): void {
    const now = Date.now();
    if (progress.phase === "listing" && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const total = Math.max(this.expectedTotal, progress.processed);
    // Without an estimate (first run) a bar would only ever look full: show the counts alone.
    const bar =
      this.expectedTotal > 0
        ? `${"█".repeat(Math.round((progress.processed / total) * WIDTH)).padEnd(WIDTH, "░")} `
        : "";
    const phase = progress.phase === "deleting" ? " deleting…" : "";
    const counts =
      `${progress.processed}${this.expectedTotal > 0 ? `/${total}` : ""} docs · ` +
      `+${progress.created} ~${progress.updated} =${progress.unchanged} -${progress.deleted} ✗${progress.failed}`;
    const line = `${this.label} ${bar}${counts}${phase}`;
    const columns = this.stream.columns || 100;
    this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    this.drawn = true;
  }

  /** Clears the line so the summary starts on a clean one. */
  finish(): void {
    this.clear();
  }

  /** Clears the bar before something else (a log line) is written; the next update redraws it. */
  clear(): void {
    if (this.drawn) this.stream.write("\r\x1b[2K");
    this.drawn = false;
    this.lastDraw = 0;
  }
}
