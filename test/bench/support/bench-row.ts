/** One line of the `npm run bench` table. Benchmarks in test/bench export `run(): Promise<BenchRow[]>`. */
export interface BenchRow {
  benchmark: string;
  metric: string;
  value: number;
  unit: string;
  /** What the issue or design asks for, e.g. "< 5 s"; shown beside the value, never asserted. */
  target?: string;
}
