import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { ConfigError } from "../src/index.js";
import {
  builtInRegistry,
  isConfigError,
  loadConfig,
  parseConfig,
  parseDuration,
  renderConfigJsonSchema,
} from "../src/index.js";

const registry = builtInRegistry();
// parseConfig is synchronous: the connectors these configs name (and the JSON Schema: all) are loaded first.
beforeAll(() => registry.loadAll());
const repo = path.resolve(import.meta.dirname, "../../..");
/** `${NAME}` as written in a config (built, so it never reads as a template placeholder by mistake). */
const ref = (name: string) => `$${"{"}${name}}`;

const VALID = `
intercom:
  tokenEnv: MY_TOKEN
  region: eu
defaults:
  availability: { aiAgent: true, aiCopilot: false }
  transform: { maxBytes: 50000 }
  concurrency: 3
sources:
  - id: handbook
    type: filesystem
    schedule:
      cron: "0 * * * *"
      timezone: Europe/Paris
      full: { every: 1d }
    contentImportSource: { url: "https://handbook.example.com/" }
    transform: { oversize: reject }
    deletion: { maxDeletes: "10%" }
    webhook: { secretEnv: HANDBOOK_SECRET }
    options:
      root: /srv/handbook
      urlTemplate: "https://handbook.example.com/\${HANDBOOK_PREFIX}/{path}"
  - id: faq
    type: filesystem
    enabled: false
    contentImportSource: { url: "https://faq.example.com", id: 42 }
    availability: { aiAgent: false }
    options: { root: ./faq }
`;

/** The env every test config needs besides its own: the token the configs name. */
const TOKEN_ENV = { MY_TOKEN: "t", INTERCOM_ACCESS_TOKEN: "t" };

function configError(text: string, env: Record<string, string> = {}): ConfigError {
  try {
    parseConfig(text, "content-sync.yaml", { registry, env: { ...TOKEN_ENV, ...env }, cwd: "/work" });
  } catch (error) {
    if (isConfigError(error)) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("config loading", () => {
  it("validates, interpolates environment references and merges defaults into every source", () => {
    const config = parseConfig(VALID, "content-sync.yaml", {
      registry,
      env: { ...TOKEN_ENV, HANDBOOK_PREFIX: "docs" },
      cwd: "/work",
    });
    expect(config.dataDir).toBe("/work/.data");
    expect(config.intercom).toEqual({
      target: "intercom",
      tokenEnv: "MY_TOKEN",
      region: "eu",
      sandboxDataFile: "/work/.data/sandbox.json",
    });
    expect(config.redis).toEqual({
      url: "redis://127.0.0.1:6379",
      keyPrefix: "content-sync",
      cluster: false,
    });
    expect(config.conversion).toEqual({ maxHeapMb: 128, timeoutSeconds: 60 });
    const [handbook, faq] = config.sources;
    expect(handbook).toMatchObject({
      id: "handbook",
      name: "handbook",
      enabled: true,
      availability: { aiAgent: true, aiCopilot: false },
      transform: { maxBytes: 50000, oversize: "reject" },
      deletion: { maxDeletes: "10%", windowMs: 86_400_000 },
      concurrency: 3,
      schedule: { cron: "0 * * * *", timezone: "Europe/Paris", full: { every: "1d" } },
      options: { root: "/srv/handbook", urlTemplate: "https://handbook.example.com/docs/{path}" },
    });
    expect(faq).toMatchObject({
      enabled: false,
      availability: { aiAgent: false, aiCopilot: false },
      contentImportSource: { url: "https://faq.example.com", id: 42 },
      deletion: { maxDeletes: 50, windowMs: 86_400_000 },
      transform: { maxBytes: 50000 },
    });
  });

  it("takes the conversion threads' limits, and names a heap cap out of range", () => {
    const config = parseConfig(
      `${VALID}conversion: { maxHeapMb: 256, threads: 1, timeoutSeconds: 120 }\n`,
      "content-sync.yaml",
      { registry, env: { ...TOKEN_ENV, HANDBOOK_PREFIX: "docs" }, cwd: "/work" },
    );
    expect(config.conversion).toEqual({ maxHeapMb: 256, threads: 1, timeoutSeconds: 120 });
    const error = configError(`${VALID}conversion: { maxHeapMb: 8 }\n`, { HANDBOOK_PREFIX: "docs" });
    expect(error.message).toMatch(/conversion\.maxHeapMb/);
  });

  it("rejects an unknown key, naming the file, line and path", () => {
    const error = configError(VALID.replace("    enabled: false", "    enabeld: false"), {
      HANDBOOK_PREFIX: "x",
    });
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: "sources[1].enabeld",
        line: 25,
        column: 5,
        message: expect.stringContaining("unknown key"),
      }),
    ]);
    expect(error.message).toContain('content-sync.yaml:25:5 sources[1].enabeld: unknown key "enabeld"');
  });

  it("rejects a bad type inside a connector's options, with the path", () => {
    const error = configError(VALID.replace("options: { root: ./faq }", "options: { root: 12 }"), {
      HANDBOOK_PREFIX: "x",
    });
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: "sources[1].options.root",
        message: "expected string, received number",
      }),
    ]);
  });

  it("names a missing environment variable and where it is referenced", () => {
    const error = configError(VALID);
    expect(error.issues).toEqual([
      expect.objectContaining({
        path: "sources[0].options.urlTemplate",
        message: `environment variable HANDBOOK_PREFIX is not set (referenced as ${ref("HANDBOOK_PREFIX")})`,
      }),
    ]);
  });

  it("supports fallbacks (VAR:-value) and escaped literals ($$)", () => {
    const text = VALID.replace(ref("HANDBOOK_PREFIX"), () => ref("HANDBOOK_PREFIX:-kb")).replace(
      "id: faq",
      () => "id: faq\n    name: $${NOT_A_VAR}",
    );
    const config = parseConfig(text, "c.yaml", { registry, env: TOKEN_ENV, cwd: "/" });
    expect(config.sources[0]?.options).toMatchObject({
      urlTemplate: "https://handbook.example.com/kb/{path}",
    });
    expect(config.sources[1]?.name).toBe(ref("NOT_A_VAR"));
  });

  it("lists every problem at once: missing fields, bad enums, schedules, duplicates, unknown types", () => {
    const text = `
intercom: { region: mars }
sources:
  - id: Bad_Id
    type: filesystem
    schedule: { every: 15 minutes, cron: "* * * * *" }
    contentImportSource: { url: "ftp://x" }
    options: {}
  - id: dup
    type: filesystem
    contentImportSource: { url: "https://a.example.com" }
    deletion: { maxDeletes: lots }
    options: { root: a }
  - id: dup
    type: lotus-notes
    contentImportSource: { url: "https://b.example.com" }
    options: {}
`;
    const error = configError(text);
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
    expect(byPath["intercom.region"]).toMatch(/"us"\|"eu"\|"au"/);
    expect(byPath["sources[0].id"]).toMatch(/slug/);
    expect(byPath["sources[0].schedule.every"]).toMatch(/duration/);
    expect(byPath["sources[0].contentImportSource.url"]).toMatch(/http\(s\) URL/);
    expect(byPath["sources[0].options.root"]).toMatch(/missing/);
    expect(byPath["sources[1].deletion.maxDeletes"]).toMatch(/"10%"/);
    expect(byPath["sources[2].type"]).toMatch(/'filesystem'/);
  });

  it("rejects duplicate source ids and invalid cron expressions and time zones", () => {
    const text = `
sources:
  - id: one
    type: filesystem
    schedule: { cron: "61 * * * *", timezone: Mars/Olympus }
    contentImportSource: { url: "https://a.example.com" }
    options: { root: a }
  - id: one
    type: filesystem
    contentImportSource: { url: "https://a.example.com" }
    options: { root: a }
`;
    const byPath = Object.fromEntries(configError(text).issues.map((issue) => [issue.path, issue.message]));
    expect(byPath["sources[0].schedule.cron"]).toMatch(/invalid cron expression/);
    expect(byPath["sources[0].schedule.timezone"]).toMatch(/IANA time zone/);
    expect(byPath["sources[1].id"]).toBe('duplicate source id "one" (already used by sources[0])');
  });

  it("makes availability explicit: a source neither it nor defaults describe is refused, naming both products", () => {
    const text = `
sources:
  - id: handbook
    type: filesystem
    contentImportSource: { url: "https://a.example.com" }
    availability: { aiCopilot: true }
    options: { root: a }
`;
    const byPath = Object.fromEntries(configError(text).issues.map((issue) => [issue.path, issue.message]));
    expect(byPath["sources[0].availability.aiAgent"]).toMatch(
      /say whether Fin AI Agent \(answers customers\) may use the pages of "handbook".*defaults\.availability\.aiAgent/,
    );
    expect(byPath["sources[0].availability.aiCopilot"]).toBeUndefined();
  });

  it("refuses two sources under one Content Import Source URL (they would delete each other's pages)", () => {
    const text = `
defaults: { availability: { aiAgent: false, aiCopilot: true } }
sources:
  - id: one
    type: filesystem
    contentImportSource: { url: "https://Wiki.example.com/docs/" }
    options: { root: a }
  - id: two
    type: filesystem
    contentImportSource: { url: "https://wiki.example.com/docs" }
    options: { root: b }
`;
    const byPath = Object.fromEntries(configError(text).issues.map((issue) => [issue.path, issue.message]));
    expect(byPath["sources[1].contentImportSource.url"]).toMatch(
      /sources\[0\] \(one\) already uses this Content Import Source URL/,
    );
  });

  it("refuses a config that targets Intercom without its token, naming the variable; the sandbox needs none", () => {
    const text = `
intercom: { tokenEnv: PROD_INTERCOM_TOKEN, baseUrl: "https://intercom-proxy.example.com" }
defaults: { availability: { aiAgent: false, aiCopilot: true } }
sources:
  - id: one
    type: filesystem
    contentImportSource: { url: "https://a.example.com" }
    options: { root: a }
`;
    let error: unknown;
    try {
      parseConfig(text, "prod.yaml", { registry, env: {}, cwd: "/" });
    } catch (caught) {
      error = caught;
    }
    expect(isConfigError(error) && error.issues).toEqual([
      expect.objectContaining({
        path: "intercom.tokenEnv",
        message: expect.stringMatching(/PROD_INTERCOM_TOKEN .* is not set/),
      }),
    ]);
    const sandbox = parseConfig(
      text.replace("tokenEnv: PROD_INTERCOM_TOKEN,", "target: sandbox,"),
      "demo.yaml",
      {
        registry,
        env: {},
        cwd: "/",
      },
    );
    expect(sandbox.intercom.target).toBe("sandbox");
  });

  it("reports YAML syntax errors with their line", () => {
    const error = configError("sources:\n  - id: a\n   type: [unclosed\n");
    expect(error.issues[0]?.message).toMatch(/^YAML: /);
    expect(error.issues[0]?.line).toBeGreaterThan(0);
  });

  it("validates rules and requires at least one matcher field", () => {
    const text = `
sources:
  - id: one
    type: filesystem
    contentImportSource: { url: "https://a.example.com" }
    rules:
      include: [{}]
      exclude: [{ labels: [internal], colour: red }]
    options: { root: a }
`;
    const byPath = Object.fromEntries(configError(text).issues.map((issue) => [issue.path, issue.message]));
    expect(byPath["sources[0].rules.include[0]"]).toMatch(/at least one of path/);
    expect(byPath["sources[0].rules.exclude[0].colour"]).toMatch(/unknown key/);
  });

  describe("from a file", () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "content-sync-config-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("names a missing file", async () => {
      const file = path.join(dir, "missing.yaml");
      await expect(loadConfig(file, { registry })).rejects.toThrow(`invalid config ${file} (1 problem)`);
      await expect(loadConfig(file, { registry })).rejects.toThrow("file not found");
    });

    it("loads the shipped demo config", async () => {
      const demo = await loadConfig(path.join(repo, "config/demo.yaml"), { registry, env: {}, cwd: repo });
      expect(demo.sources.map((source) => source.id)).toEqual(["demo-help-center"]);
      expect(demo.sources[0]?.options).toMatchObject({ root: "./config/demo-docs" });
    });

    it("validates the commented reference config, which documents every registered connector type", async () => {
      const file = path.join(repo, "config/reference.yaml");
      const document = parse(await readFile(file, "utf8")) as { sources: { type: string }[] };
      const documented = new Set(document.sources.map((source) => source.type));
      for (const type of registry.types()) expect(documented).toContain(type);
      const config = await loadConfig(file, { registry, env: TOKEN_ENV, cwd: repo });
      expect(config.sources.length).toBe(document.sources.length);
    });

    it("rejects a config without sources", async () => {
      await writeFile(path.join(dir, "x.yaml"), "sources: []\n");
      await expect(loadConfig(path.join(dir, "x.yaml"), { registry })).rejects.toThrow(/at least one source/);
    });

    it("keeps the committed JSON Schema in step with the zod schema", async () => {
      // Compared as data, so reformatting the committed file (biome) does not count as a change.
      const committed: unknown = JSON.parse(
        await readFile(path.join(repo, "config/content-sync.schema.json"), "utf8"),
      );
      const fresh: unknown = JSON.parse(renderConfigJsonSchema(registry));
      expect(
        committed,
        "config/content-sync.schema.json is stale: run scripts/generate-config-schema.ts",
      ).toEqual(fresh);
      const schema = committed as { properties: Record<string, unknown>; additionalProperties: boolean };
      expect(Object.keys(schema.properties)).toEqual(
        expect.arrayContaining(["intercom", "sources", "defaults"]),
      );
      expect(schema.additionalProperties).toBe(false);
    });
  });
});

describe("parseDuration", () => {
  it("reads every unit and rejects anything else", () => {
    expect([
      parseDuration("250ms"),
      parseDuration("90s"),
      parseDuration("15m"),
      parseDuration("6h"),
      parseDuration("1d"),
    ]).toEqual([250, 90_000, 900_000, 21_600_000, 86_400_000]);
    expect(() => parseDuration("15 minutes")).toThrow(/invalid duration "15 minutes"/);
  });
});
