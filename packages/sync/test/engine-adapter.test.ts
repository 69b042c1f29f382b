import type { ConnectorDefinition } from "@content-sync/connectors";
import { ConnectorError, ConnectorRegistry, filesystemConnector } from "@content-sync/connectors";
import { UnrecoverableError } from "bullmq";
import { z } from "zod";
import { afterEach, describe, expect, it } from "vitest";
import { EngineAdapter } from "../src/index.js";
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

  const call = () => ({ signal: new AbortController().signal, logger: silent });

  const adapterWith = (h: EngineHarness, token: string) =>
    new EngineAdapter({
      registry: new ConnectorRegistry().register(guardedConnector),
      client: h.client,
      state: h.state,
      env: { DOCS_TOKEN: token },
      apiCalls: h.apiCalls,
      logger: silent,
    });

  it("fails a run whose listing was refused as unrecoverable, naming the env var, and deletes nothing", async () => {
    harness = await EngineHarness.start({ "a.md": article("Alpha"), "b.md": article("Beta") });
    harness.source = { ...harness.source, type: "guarded-files", options: { root: harness.root } };

    const first = await adapterWith(harness, "right").run(harness.source, "full", call());
    expect(first.counts.created).toBe(2);

    const refused = adapterWith(harness, "wrong").run(harness.source, "full", call());
    await expect(refused).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refused).rejects.toThrow(/DOCS_TOKEN/);
    expect(harness.writes().deletes).toBe(0);
    expect((await harness.pages()).map((page) => page.external_id)).toEqual(["a.md", "b.md"]);
  });

  it("fails a targeted reindex whose fetch was refused as unrecoverable", async () => {
    harness = await EngineHarness.start({ "a.md": article("Alpha") });
    harness.source = { ...harness.source, type: "guarded-files", options: { root: harness.root } };
    await adapterWith(harness, "right").run(harness.source, "full", call());

    const refused = adapterWith(harness, "wrong").syncDocuments(harness.source, ["a.md"], call());
    await expect(refused).rejects.toBeInstanceOf(UnrecoverableError);
    expect(harness.writes().deletes).toBe(0);
  });
});
