import { IntercomNetworkError, IntercomServerError } from "@content-sync/intercom";
import { afterEach, describe, expect, it } from "vitest";
import { FaultInjector, seededRandom } from "../../src/sandbox/faults.js";
import { SandboxOptionsError } from "../../src/sandbox/index.js";
import { clientFor, closeSandboxes, openSandbox, pageBody, raw } from "./helpers.js";

afterEach(closeSandboxes);

async function statusSequence(seed: number, calls: number): Promise<number[]> {
  const sandbox = await openSandbox({ faults: { seed, errorRate: 0.3 } });
  const statuses: number[] = [];
  for (let index = 0; index < calls; index++) statuses.push((await raw(sandbox, "GET", "/me")).status);
  return statuses;
}

describe("sandbox fault injection", () => {
  it("answers a seeded share of calls with 500, 502 or 503, the same way for the same seed", async () => {
    const first = await statusSequence(42, 60);
    const again = await statusSequence(42, 60);
    const otherSeed = await statusSequence(7, 60);
    expect(again).toEqual(first);
    expect(otherSeed).not.toEqual(first);
    const failures = first.filter((status) => status !== 200);
    expect(failures.length).toBeGreaterThan(5);
    expect(failures.length).toBeLessThan(35);
    expect(new Set(failures)).toEqual(new Set([500, 502, 503]));
  });

  it("gives injected errors an error.list body and counts them; the typed client sees IntercomServerError", async () => {
    const sandbox = await openSandbox({ faults: { errorRate: 1, errorStatuses: [503] } });
    const answer = await raw(sandbox, "GET", "/ai/external_pages");
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({
      type: "error.list",
      request_id: answer.headers.get("x-request-id"),
      errors: [{ code: "service_unavailable" }],
    });
    const error = await clientFor(sandbox)
      .aiContent.listExternalPages()
      .toArray()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomServerError);
    expect(error).toMatchObject({ status: 503 });
    expect(sandbox.stats().faults.errors).toBe(2);
    expect(sandbox.stats().statuses["503"]).toBe(2);
  });

  it("lets the typed client's retries ride over a transient 5xx", async () => {
    // A seed whose first call fails and whose second succeeds (draws: error?, status, error?).
    let seed = 1;
    for (; ; seed++) {
      const random = seededRandom(seed);
      const firstFails = random() < 0.5;
      random();
      if (firstFails && random() >= 0.5) break;
    }
    const sandbox = await openSandbox({ faults: { seed, errorRate: 0.5 } });
    const client = clientFor(sandbox, { maxRetries: 3 });
    await expect(client.admins.identify()).resolves.toMatchObject({ type: "admin" });
    const stats = sandbox.stats();
    expect(stats.calls["GET /me"]).toBe(2);
    expect(stats.succeeded["GET /me"]).toBe(1);
    expect(stats.faults.errors).toBe(1);
  });

  it("drops connections without an answer", async () => {
    const sandbox = await openSandbox({ faults: { dropRate: 1 } });
    await expect(
      fetch(`${sandbox.url}/me`, { headers: { Authorization: `Bearer ${sandbox.token}` } }),
    ).rejects.toThrow();
    const error = await clientFor(sandbox)
      .admins.identify()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomNetworkError);
    expect(sandbox.stats().faults.drops).toBe(2);
    expect(sandbox.stats().calls["GET /me"]).toBe(2);
  });

  it("adds latency before answering", async () => {
    const sandbox = await openSandbox({ faults: { latencyMs: 150 } });
    const started = performance.now();
    expect((await raw(sandbox, "GET", "/me")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("fails every write of a listed external id and nothing else", async () => {
    const sandbox = await openSandbox({ faults: { failExternalIds: ["cursed"] } });
    const client = clientFor(sandbox);
    const source = await client.aiContent.createContentImportSource({
      sync_behavior: "api",
      url: "https://d.example",
    });
    await client.aiContent.createExternalPage(pageBody(source.id, "fine"));
    const error = await client.aiContent
      .createExternalPage(pageBody(source.id, "cursed"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntercomServerError);
    expect(error).toMatchObject({ status: 500, code: "server_error" });
    expect(sandbox.store.findPage(source.id, "cursed")).toBeUndefined();

    // A page stored before the fault was set: reads work, writes fail.
    sandbox.setFaults({});
    const page = await client.aiContent.createExternalPage(pageBody(source.id, "cursed"));
    sandbox.setFaults({ failExternalIds: ["cursed"], failExternalIdStatus: 502 });
    await expect(client.aiContent.getExternalPage(page.id)).resolves.toMatchObject({ external_id: "cursed" });
    await expect(client.aiContent.deleteExternalPage(page.id)).rejects.toMatchObject({ status: 502 });
    expect(sandbox.store.getPage(page.id)).toBeDefined();
    expect(sandbox.stats().faults.failedExternalIds).toBe(2);
  });

  it("changes faults at run time through POST /__sandbox/faults and reports them", async () => {
    const sandbox = await openSandbox();
    const set = await raw(sandbox, "POST", "/__sandbox/faults", {
      token: null,
      body: { seed: 5, errorRate: 1, errorStatuses: [502] },
    });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({
      seed: 5,
      errorRate: 1,
      errorStatuses: [502],
      dropRate: 0,
      latencyMs: 0,
      failExternalIds: [],
      failExternalIdStatus: 500,
    });
    expect((await raw(sandbox, "GET", "/me")).status).toBe(502);
    expect((await raw(sandbox, "GET", "/__sandbox/faults", { token: null })).json.errorStatuses).toEqual([
      502,
    ]);
    await raw(sandbox, "POST", "/__sandbox/faults", { token: null, body: {} });
    expect((await raw(sandbox, "GET", "/me")).status).toBe(200);
  });

  it("refuses invalid fault settings, naming the setting", async () => {
    const sandbox = await openSandbox();
    const answer = await raw(sandbox, "POST", "/__sandbox/faults", { token: null, body: { errorRate: 2 } });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0]).toMatchObject({ code: "parameter_invalid", field: "errorRate" });
    expect(() => sandbox.setFaults({ errorStatuses: [200] })).toThrow(SandboxOptionsError);
    expect(() => sandbox.setFaults({ latencyMs: { min: 10, max: 5 } })).toThrow(/faults.latencyMs/);
    await expect(openSandbox({ faults: { dropRate: -1 } })).rejects.toMatchObject({
      option: "faults.dropRate",
    });
  });

  it("draws latency ranges from the seed, within the range", () => {
    const draw = (seed: number) => {
      const injector = new FaultInjector({ seed, latencyMs: { min: 10, max: 40 } });
      return Array.from({ length: 50 }, () => injector.latency());
    };
    const first = draw(9);
    expect(draw(9)).toEqual(first);
    expect(draw(10)).not.toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...first)).toBeLessThanOrEqual(40);
    expect(new Set(first).size).toBeGreaterThan(10);
  });
});
