import { describe, expect, it } from "vitest";
import { parseWorkerEnv } from "./env.js";
import { parseWorkerInvocation } from "./worker-settings.js";

describe("parseWorkerEnv", () => {
  it("applies defaults and coerces numbers", () => {
    expect(parseWorkerEnv({})).toEqual({
      CONTENT_SYNC_CONFIG: "content-sync.yaml",
      WORKER_CONCURRENCY: 4,
      LOG_LEVEL: "info",
      PORT: 8081,
      CONTENT_SYNC_HOST: "127.0.0.1",
      CONTENT_SYNC_SHUTDOWN_GRACE_MS: 25_000,
      CONTENT_SYNC_LOCK_DURATION_MS: 30_000,
      CONTENT_SYNC_STALLED_INTERVAL_MS: 30_000,
      CONTENT_SYNC_BATCH_SIZE: 100,
    });
    expect(parseWorkerEnv({ WORKER_CONCURRENCY: "12", LOG_LEVEL: "debug", PORT: "" })).toMatchObject({
      WORKER_CONCURRENCY: 12,
      LOG_LEVEL: "debug",
      PORT: 8081,
    });
  });

  it("names the variable that is wrong", () => {
    expect(() => parseWorkerEnv({ WORKER_CONCURRENCY: "lots" })).toThrow(
      /invalid worker environment: WORKER_CONCURRENCY/,
    );
    expect(() => parseWorkerEnv({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});

describe("parseWorkerInvocation", () => {
  it("lets flags win over the environment", () => {
    const invocation = parseWorkerInvocation(
      [
        "--config",
        "fleet.yaml",
        "--concurrency",
        "8",
        "--port",
        "0",
        "--host",
        "0.0.0.0",
        "--log-level",
        "warn",
      ],
      { WORKER_CONCURRENCY: "2", CONTENT_SYNC_CONFIG: "other.yaml" },
    );
    expect(invocation).toMatchObject({
      kind: "run",
      settings: {
        CONTENT_SYNC_CONFIG: "fleet.yaml",
        WORKER_CONCURRENCY: 8,
        PORT: 0,
        CONTENT_SYNC_HOST: "0.0.0.0",
        LOG_LEVEL: "warn",
      },
    });
    expect(parseWorkerInvocation(["-h"], {})).toEqual({ kind: "help" });
    expect(parseWorkerInvocation(["--version"], {})).toEqual({ kind: "version" });
  });

  it("names a bad flag or value", () => {
    expect(() => parseWorkerInvocation(["--log-level", "loud"], {})).toThrow(/--log-level: .*got "loud"/);
    expect(() => parseWorkerInvocation(["--concurrency", "0"], {})).toThrow(/--concurrency: .*got "0"/);
    expect(() => parseWorkerInvocation(["--concurency", "3"], {})).toThrow(/--concurency/);
    expect(() => parseWorkerInvocation([], { LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});
