import { describe, expect, it } from "vitest";
import { parseWorkerEnv } from "./env.js";

describe("parseWorkerEnv", () => {
  it("applies defaults and coerces numbers", () => {
    expect(parseWorkerEnv({})).toEqual({
      CONTENT_SYNC_CONFIG: "content-sync.yaml",
      WORKER_CONCURRENCY: 4,
      LOG_LEVEL: "info",
      SHUTDOWN_GRACE_MS: 25_000,
    });
    expect(parseWorkerEnv({ WORKER_CONCURRENCY: "12", LOG_LEVEL: "debug" })).toMatchObject({
      WORKER_CONCURRENCY: 12,
      LOG_LEVEL: "debug",
    });
  });

  it("names the variable that is wrong", () => {
    expect(() => parseWorkerEnv({ WORKER_CONCURRENCY: "lots" })).toThrow(
      /invalid worker environment: WORKER_CONCURRENCY/,
    );
    expect(() => parseWorkerEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});
