import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { ConnectorDefinition } from "./contract.js";
import { ConnectorRegistry, lazyConnector } from "./registry.js";

const definition = (type: string): ConnectorDefinition<{ root: string }> => ({
  type,
  optionsSchema: z.strictObject({ root: z.string() }),
  defaultRate: { perSecond: 10 },
  create: () => {
    throw new Error("not used here");
  },
});

/** A lazy type whose loader records each call, as a connector module's import would happen. */
function recorded(type: string, loaded: string[], result: () => ConnectorDefinition<{ root: string }>) {
  return lazyConnector(type, async () => {
    loaded.push(type);
    return result();
  });
}

describe("ConnectorRegistry", () => {
  it("knows lazy types by name and imports only the ones loaded", async () => {
    const loaded: string[] = [];
    const registry = new ConnectorRegistry([
      recorded("filesystem", loaded, () => definition("filesystem")),
      recorded("s3", loaded, () => definition("s3")),
    ]).register(definition("eager"));
    expect(registry.types()).toEqual(["eager", "filesystem", "s3"]);
    expect(registry.has("s3")).toBe(true);
    expect(registry.isLoaded("s3")).toBe(false);
    expect(registry.isLoaded("eager")).toBe(true);
    expect(loaded).toEqual([]);

    const filesystem = await registry.load("filesystem");
    expect(filesystem?.type).toBe("filesystem");
    expect(registry.get("filesystem")).toBe(filesystem);
    expect(registry.isLoaded("filesystem")).toBe(true);
    expect(loaded).toEqual(["filesystem"]);
  });

  it("loads a type once, however many callers and registries ask for it", async () => {
    const loaded: string[] = [];
    const handle = recorded("notion", loaded, () => definition("notion"));
    const first = new ConnectorRegistry([handle]);
    const second = new ConnectorRegistry([handle]);
    await Promise.all([first.load("notion"), first.load("notion"), second.loadAll()]);
    expect(loaded).toEqual(["notion"]);
    // A registry built from the same handle later sees the load without awaiting anything.
    expect(new ConnectorRegistry([handle]).get("notion")?.type).toBe("notion");
  });

  it("tells an unknown type (undefined) from a registered one not loaded yet (an error naming the fix)", async () => {
    const registry = new ConnectorRegistry([recorded("ghost", [], () => definition("ghost"))]);
    expect(registry.get("lotus-notes")).toBeUndefined();
    await expect(registry.load("lotus-notes")).resolves.toBeUndefined();
    expect(() => registry.get("ghost")).toThrow(
      /"ghost" is registered but not loaded yet: await registry.load/,
    );
  });

  it("refuses a type registered twice, eager or lazy", () => {
    const registry = new ConnectorRegistry([recorded("ghost", [], () => definition("ghost"))]);
    expect(() => registry.register(definition("ghost"))).toThrow(/"ghost" is registered twice/);
    expect(() => registry.register(recorded("ghost", [], () => definition("ghost")))).toThrow(/twice/);
  });

  it("refuses a loader that returns another type's definition", async () => {
    const registry = new ConnectorRegistry([recorded("webdav", [], () => definition("s3"))]);
    await expect(registry.load("webdav")).rejects.toThrow(
      'connector type "webdav" loaded a definition of type "s3"',
    );
  });

  it("retries a load whose import failed", async () => {
    let attempts = 0;
    const registry = new ConnectorRegistry([
      lazyConnector("s3", async () => {
        attempts++;
        if (attempts === 1) throw new Error("Cannot find package '@aws-sdk/client-s3'");
        return definition("s3");
      }),
    ]);
    await expect(registry.load("s3")).rejects.toThrow(/Cannot find package/);
    expect(registry.isLoaded("s3")).toBe(false);
    await expect(registry.load("s3")).resolves.toMatchObject({ type: "s3" });
    expect(attempts).toBe(2);
  });
});
