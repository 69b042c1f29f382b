import type { ResponseInfo } from "@content-sync/intercom";

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Counts HTTP attempts through the client's `onResponse` hook. Pass `counter.onResponse` when creating
 * the IntercomClient and the counter to runSync; the summary reports the calls made during the run.
 */
export class ApiCallCounter {
  total = 0;
  writes = 0;

  readonly onResponse = (info: ResponseInfo): void => {
    this.total++;
    if (WRITE_METHODS.has(info.method.toUpperCase())) this.writes++;
  };

  snapshot(): { total: number; writes: number } {
    return { total: this.total, writes: this.writes };
  }
}
