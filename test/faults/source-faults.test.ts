import { ghostConnector } from "@content-sync/connectors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type GhostFixtureOptions,
  GhostFixture,
} from "../../packages/connectors/test/ghost/ghost-fixture.js";
import {
  article,
  collected,
  comparePages,
  counts,
  FaultHarness,
  prng,
  SEED,
  secretsFound,
  stateDumps,
  writeFileResults,
} from "./support.js";

const INTERCOM_TOKEN = `source-faults-intercom-${SEED.toString(36)}-Vb3kQ8`;
const CONTENT_KEY = `source-faults-ghost-key-${SEED.toString(36)}-Wm5tJ1`;
/** Summaries and thrown errors of every scenario, for the secrets scan. */
const artifacts: string[] = [];

console.log(`source faults seed ${SEED} (set FAULTS_SEED to replay)`);

const revisionText = (slug: string, revision: number) => `rev-${revision}-${slug}`;

describe("scenario E: the source refuses its credentials half way through a full listing (401)", () => {
  let fixture: GhostFixture;
  let h: FaultHarness;
  /** The fixture checks the key on every request against this object, so the test can revoke it. */
  const keys: GhostFixtureOptions = {
    contentKey: CONTENT_KEY,
    adminKeyId: "65a1b2c3d4e5f60718293a4b",
    adminSecretHex: "a1b2c3d4e5f60718".repeat(4),
  };
  const revisions = new Map<string, { slug: string; revision: number }>();

  const connector = () =>
    ghostConnector.create(h.source.options as never, {
      sourceId: h.source.id,
      logger: h.logger,
      env: { SOURCE_FAULTS_GHOST_KEY: CONTENT_KEY },
    });
  const expected = () =>
    new Map([...revisions].map(([id, { slug, revision }]) => [id, revisionText(slug, revision)]));

  beforeAll(async () => {
    fixture = new GhostFixture(keys);
    const apiUrl = await fixture.start();
    h = await FaultHarness.start("faults-ghost-401", INTERCOM_TOKEN);
    h.source = {
      ...h.source,
      type: "ghost",
      contentImportSource: { url: "https://blog.example.com/faults-401" },
      options: ghostConnector.optionsSchema.parse({
        apiUrl,
        contentApiKeyEnv: "SOURCE_FAULTS_GHOST_KEY",
        pageSize: 10,
      }),
    };
    const random = prng(SEED + 30);
    for (let i = 0; i < 60; i++) {
      const slug = `post-${i}-${Math.floor(random() * 1_000_000).toString(36)}`;
      const id = fixture.upsert({ title: `Post ${i}`, slug, html: `<p>${revisionText(slug, 1)}</p>` });
      revisions.set(id, { slug, revision: 1 });
    }
    const first = await h.run(connector());
    artifacts.push(JSON.stringify(first));
    expect(first.status, first.headline).toBe("succeeded");
    expect(comparePages(expected(), await h.pages())).toMatchObject({ lost: [], stale: [], extra: [] });
  });
  afterAll(async () => {
    await h?.close();
    await fixture?.stop();
  });

  it("the run fails with an auth error and deletes nothing; with the key back the next run converges", async () => {
    counts.scenariosRun++;
    const synced = new Set(revisions.keys());
    // Edits the cut run may or may not reach: the clean run after it must bring them all. Ghost
    // stamps an edit with a later updated_at (the connector's version), so the fixture clock moves.
    fixture.tick(60);
    for (const [id, entry] of [...revisions].slice(40, 45)) {
      fixture.upsert({
        title: `Edited ${entry.slug}`,
        slug: entry.slug,
        html: `<p>${revisionText(entry.slug, 2)}</p>`,
      });
      revisions.set(id, { ...entry, revision: 2 });
    }
    let pagesServed = 0;
    fixture.afterResponse = () => {
      // Three pages of ten answered, then the key is revoked (an admin rotated it mid-run).
      if (++pagesServed === 3) keys.contentKey = "revoked";
    };
    let cut: Awaited<ReturnType<FaultHarness["run"]>> | undefined;
    let thrown: unknown;
    try {
      cut = await h.run(connector());
    } catch (error) {
      thrown = error;
    }
    counts.faultsInjected++;
    artifacts.push(JSON.stringify(cut ?? null), String(thrown));
    // Either way the run must say it failed on the credential, never that all is well.
    if (cut) {
      expect(cut.status).not.toBe("succeeded");
      expect(cut.listingComplete).toBe(false);
      expect(cut.deleted).toBe(0);
      expect(`${cut.listingError} ${cut.headline}`).toMatch(/401|auth|key/i);
    } else {
      expect(String(thrown)).toMatch(/401|auth|key/i);
    }
    expect((await h.pages()).length).toBe(60);

    keys.contentKey = CONTENT_KEY;
    fixture.afterResponse = undefined;
    const clean = await h.run(connector());
    artifacts.push(JSON.stringify(clean));
    expect(clean.status, clean.headline).toBe("succeeded");
    const result = comparePages(expected(), await h.pages(), synced);
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
    expect(result.compared).toBe(60);
  });
});

describe("scenario F: the connection drops on the Content Import Source POST", () => {
  let h: FaultHarness;

  beforeAll(async () => {
    // Every API call has its socket destroyed: the lookup and the POST that would create the source.
    h = await FaultHarness.start("faults-cis-drop", INTERCOM_TOKEN, { faults: { seed: SEED, dropRate: 1 } });
    for (let i = 0; i < 20; i++)
      await h.write(`drop/doc-${i}.md`, article(`Doc ${i}`, revisionText(`doc-${i}`, 1)));
  });
  afterAll(async () => {
    await h?.close();
  });

  it("the run returns a failed summary with the reason (it does not throw); the next run converges", async () => {
    counts.scenariosRun++;
    const dropped = await h.run();
    counts.faultsInjected += h.sandbox.stats().faults.drops;
    artifacts.push(JSON.stringify(dropped));
    expect(dropped.status).toBe("failed");
    expect(dropped.headline).toMatch(/could not begin.*Content Import Source/);
    expect(dropped).toMatchObject({ created: 0, deleted: 0, listingComplete: false });

    // A POST that took effect before its answer was lost must be found again, never duplicated.
    h.sandbox.setFaults({ seed: SEED, dropRate: 0 });
    const clean = await h.run();
    artifacts.push(JSON.stringify(clean));
    expect(clean.status, clean.headline).toBe("succeeded");
    expect(h.importSources()).toBe(1);
    const expected = new Map(
      Array.from({ length: 20 }, (_, i) => [`drop/doc-${i}.md`, revisionText(`doc-${i}`, 1)] as const),
    );
    const result = comparePages(expected, await h.pages());
    expect(result).toMatchObject({ lost: [], duplicated: [], stale: [], wronglyDeleted: [], extra: [] });
  });
});

describe("scenario G: secrets in this file's logs, summaries and state files", () => {
  it("neither the Intercom token nor the source key appears, plain, URL-encoded or base64", () => {
    counts.scenariosRun++;
    expect(collected.length).toBeGreaterThan(0);
    expect(stateDumps.length).toBeGreaterThan(0);
    const found = secretsFound([INTERCOM_TOKEN, CONTENT_KEY], artifacts);
    expect(found).toEqual([]);
  });
});

afterAll(async () => {
  await writeFileResults(import.meta.url);
});
