import type { Registry } from "prom-client";

/** One labelled series of a histogram kept in Redis: per-bucket counts (not cumulative) and the sum. */
export interface HistogramSeries {
  labels: Record<string, string>;
  /** `le` (upper bound as written by `bucketOf`, or `+Inf`) → observations in that bucket alone. */
  buckets: ReadonlyMap<string, number>;
  sum: number;
}

export interface FleetHistogramOptions {
  name: string;
  help: string;
  /** The bucket bounds the observations were filed under. */
  bounds: readonly number[];
  read(): Promise<HistogramSeries[]>;
}

/**
 * A Prometheus histogram whose observations live in Redis (every worker files its own), exposed
 * by the scheduler with cumulative `_bucket{le}`, `_sum` and `_count` as prom-client would print a
 * local one. prom-client's Histogram only counts observations made in this process, hence this.
 */
export function registerFleetHistogram(registry: Registry, options: FleetHistogramOptions): void {
  const bounds = [...options.bounds.map(String), "+Inf"];
  const metric = {
    name: options.name,
    help: options.help,
    type: "histogram",
    aggregator: "sum",
    async get() {
      const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
      for (const series of await options.read()) {
        let cumulative = 0;
        for (const le of bounds) {
          cumulative += series.buckets.get(le) ?? 0;
          values.push({
            metricName: `${options.name}_bucket`,
            labels: { ...series.labels, le },
            value: cumulative,
          });
        }
        values.push({ metricName: `${options.name}_sum`, labels: series.labels, value: series.sum });
        values.push({ metricName: `${options.name}_count`, labels: series.labels, value: cumulative });
      }
      return { name: options.name, help: options.help, type: "histogram", aggregator: "sum", values };
    },
    reset() {},
  };
  // prom-client prints any registered object with name, help, type and get(); its types only name its
  // own classes.
  registry.registerMetric(metric as unknown as Parameters<Registry["registerMetric"]>[0]);
}
