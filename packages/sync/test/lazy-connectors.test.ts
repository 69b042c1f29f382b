// The connector registry behind the config loader is lazy: a config imports the connectors it names.
// This file runs in its own module graph, so the built-in handles start out unloaded here.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  ConnectorRegistry,
  filesystemConnector,
  ghostConnector,
  lazyConnector,
} from "@content-sync/connectors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtInRegistry, isConfigError, loadConfig } from "../src/config-entry.js";

const BUILT_IN_TYPES = [
  "confluence",
  "contentful",
  "filesystem",
  "ghost",
  "google-drive",
  "mediawiki",
  "notion",
  "s3",
  "sharepoint",
  "strapi",
  "webdav",
  "wordpress",
];

const source = (id: string, type: string, options: string) => `
  - id: ${id}
    type: ${type}
    contentImportSource: { url: "https://${id}.example.com/" }
    availability: { aiAgent: true, aiCopilot: true }
    options: ${options}`;

let dir: string;
const writeConfig = async (name: string, ...sources: string[]) => {
  const file = path.join(dir, name);
  await writeFile(file, `intercom: { target: sandbox }\nsources:${sources.join("")}\n`);
  return file;
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lazy-connectors-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("loadConfig with a lazy registry", () => {
  it("loads only the built-in connector a filesystem-only config names", async () => {
    const registry = builtInRegistry();
    expect(BUILT_IN_TYPES.filter((type) => registry.isLoaded(type))).toEqual([]);
    const file = await writeConfig("fs.yaml", source("docs", "filesystem", "{ root: ./docs }"));
    const config = await loadConfig(file, { registry, env: {}, cwd: dir });
    expect(config.sources.map((s) => s.type)).toEqual(["filesystem"]);
    expect(BUILT_IN_TYPES.filter((type) => registry.isLoaded(type))).toEqual(["filesystem"]);
    // What the sync command does next: the definition is at hand, synchronously.
    expect(registry.get("filesystem")?.type).toBe("filesystem");
  });

  it("calls the loaders of the named types only, once each", async () => {
    const calls: string[] = [];
    const registry = new ConnectorRegistry([
      lazyConnector("filesystem", async () => {
        calls.push("filesystem");
        return filesystemConnector;
      }),
      lazyConnector("ghost", async () => {
        calls.push("ghost");
        return ghostConnector;
      }),
    ]);
    const file = await writeConfig(
      "two.yaml",
      source("a", "filesystem", "{ root: ./a }"),
      source("b", "filesystem", "{ root: ./b }"),
    );
    await loadConfig(file, { registry, env: {}, cwd: dir });
    expect(calls).toEqual(["filesystem"]);
  });

  it("still validates options with the connector's own schema", async () => {
    const file = await writeConfig("bad.yaml", source("docs", "filesystem", "{ root: 12, colour: blue }"));
    const error = await loadConfig(file, { registry: builtInRegistry(), env: {}, cwd: dir }).catch((e) => e);
    expect(isConfigError(error)).toBe(true);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "sources[0].options.root",
          message: "expected string, received number",
        }),
        expect.objectContaining({ path: "sources[0].options.colour" }),
      ]),
    );
  });

  it("rejects an unknown type naming every known one, loaded or not", async () => {
    const file = await writeConfig("unknown.yaml", source("docs", "lotus-notes", "{}"));
    const error = await loadConfig(file, { registry: builtInRegistry(), env: {}, cwd: dir }).catch((e) => e);
    expect(isConfigError(error)).toBe(true);
    const message = error.issues.find((issue: { path: string }) => issue.path === "sources[0].type")?.message;
    for (const type of BUILT_IN_TYPES) expect(message).toContain(`'${type}'`);
  });
});

describe("builtInRegistry", () => {
  it("knows every built-in type, and each one loads a definition whose schema validates options", async () => {
    const registry = builtInRegistry();
    expect(registry.types()).toEqual(BUILT_IN_TYPES);
    await registry.loadAll();
    for (const type of BUILT_IN_TYPES) {
      const definition = registry.get(type);
      expect(definition?.type).toBe(type);
      // Every connector's options are strict objects: an unknown key is refused.
      expect(definition?.optionsSchema.safeParse({ notAnOption: true }).success).toBe(false);
      expect(typeof definition?.create).toBe("function");
    }
  });
});
