import type { ConnectorDefinition } from "@content-sync/connectors";
import { ConnectorError, ConnectorRegistry, filesystemConnector } from "@content-sync/connectors";
import { z } from "zod";
import { afterEach, describe, expect, it } from "vitest";
import { EngineAdapter, runSync, syncDocuments } from "../src/index.js";
import { article, EngineHarness, silent } from "./support/sandbox-harness.js";

/**
 * A filesystem source behind a credential, as a CMS would be: the listing is refused with a permanent
 * ConnectorError unless DOCS_TOKEN holds the right value.
 */
const guardedConnector: ConnectorDefinition<{ root: string }> = {
  type: "guarded-files",
  optionsSchema: z.strictObject({ root: z.string() }),
  defaultRate: { perSecond: 100 },
  create(options, init) {
    const files = filesystemConnector.create(filesystemConnector.optionsSchema.parse(options), init);
    const refuse = () => {
      if (init.env.DOCS_TOKEN === "right") return;
      throw new ConnectorError("auth", `source "${init.sourceId}": refused with 401 (env var DOCS_TOKEN)`, {
        sourceId: init.sourceId,
        credentialEnv: "DOCS_TOKEN",
        status: 401,
      });
    };
    return {
      async *listAll(ctx) {
        refuse();
        yield* files.listAll(ctx);
      },
      async *fetchByIds(ids, ctx) {
        refuse();
        yield* files.fetchByIds(ids, ctx);
      },
    };
  },
};

describe("EngineAdapter", () => {
  let harness: EngineHarness | undefined;
  afterEach(async () => harness?.close());

  const call = () => ({ signal: new AbortController().signal, logger: silent, runId: "job-1" });

  const adapterWith = (h: EngineHarness, token: string) =>
    new EngineAdapter({
      registry: new ConnectorRegistry().register(guardedConnector),
      client: h.client,
      state: h.state,
      env: { DOCS_TOKEN: token },
      apiCalls: h.apiCalls,
      logger: silent,
    });

  it("builds a run's dependencies: the cached connector, the client and the state", async () => {
    harness = await EngineHarness.start({ "a.md": article("Alpha") });
    harness.source = { ...harness.source, type: "guarded-files", options: { root: harness.root } };
    const adapter = adapterWith(harness, "right");
    const deps = adapter.dependencies(harness.source, call());
    expect(deps.connector).toBe(adapter.dependencies(harness.source, call()).connector);
    expect(deps.runId).toBe("job-1");
    expect((await runSync({ ...deps, mode: "full" })).created).toBe(1);
    await adapter.close();
  });

  it("reports a listing refused for its credentials as permanent, naming the env var, and deletes nothing", async () => {
    harness = await EngineHarness.start({ "a.md": article("Alpha"), "b.md": article("Beta") });
    harness.source = { ...harness.source, type: "guarded-files", options: { root: harness.root } };
    await runSync({ ...adapterWith(harness, "right").dependencies(harness.source, call()), mode: "full" });

    const refused = await runSync({
      ...adapterWith(harness, "wrong").dependencies(harness.source, call()),
      mode: "full",
    });
    expect(refused).toMatchObject({ status: "failed", listingErrorPermanent: true, deleted: 0 });
    expect(refused.headline).toMatch(/DOCS_TOKEN.*nothing was synced or deleted/);
    expect(harness.writes().deletes).toBe(0);
    expect((await harness.pages()).map((page) => page.external_id)).toEqual(["a.md", "b.md"]);
  });

  it("throws the connector's permanent error from a targeted reindex whose fetch was refused", async () => {
    harness = await EngineHarness.start({ "a.md": article("Alpha") });
    harness.source = { ...harness.source, type: "guarded-files", options: { root: harness.root } };
    await runSync({ ...adapterWith(harness, "right").dependencies(harness.source, call()), mode: "full" });
    const refused = syncDocuments({
      ...adapterWith(harness, "wrong").dependencies(harness.source, call()),
      externalIds: ["a.md"],
    });
    await expect(refused).rejects.toSatisfy(
      (error: unknown) => error instanceof ConnectorError && error.permanent,
    );
    expect(harness.writes().deletes).toBe(0);
  });
});
