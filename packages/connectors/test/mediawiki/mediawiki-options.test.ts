import { describe, expect, it } from "vitest";
import { decodeMediawikiCursor, encodeMediawikiCursor } from "../../src/mediawiki/mediawiki-cursor.js";
import { mediawikiOptionsSchema } from "../../src/mediawiki/mediawiki-options.js";

describe("mediawiki options", () => {
  it("applies defaults", () => {
    expect(mediawikiOptionsSchema.parse({ apiUrl: "https://wiki.example.com/w/api.php" })).toEqual({
      apiUrl: "https://wiki.example.com/w/api.php",
      namespaces: [0],
      includeCategories: [],
      excludeCategories: [],
      pageSize: 50,
      overlapSeconds: 300,
      rcMaxAgeDays: 90,
      maxlag: 5,
    });
  });

  it("rejects a URL that is not api.php, unknown keys, inlined secrets and contradictory categories", () => {
    expect(() => mediawikiOptionsSchema.parse({ apiUrl: "https://wiki.example.com/wiki/Main" })).toThrow(
      /api\.php/,
    );
    expect(() => mediawikiOptionsSchema.parse({ apiUrl: "https://w.example/api.php", surprise: 1 })).toThrow(
      /surprise/,
    );
    expect(() =>
      mediawikiOptionsSchema.parse({
        apiUrl: "https://w.example/api.php",
        login: { username: "Sync@bot", passwordEnv: "abc def secret!" },
      }),
    ).toThrow(/NAME of an environment variable/);
    expect(() =>
      mediawikiOptionsSchema.parse({
        apiUrl: "https://w.example/api.php",
        login: { username: "Sync", passwordEnv: "WIKI_BOT_PASSWORD" },
      }),
    ).toThrow(/User@botname/);
    expect(() =>
      mediawikiOptionsSchema.parse({
        apiUrl: "https://w.example/api.php",
        includeCategories: ["Help"],
        excludeCategories: ["Help"],
      }),
    ).toThrow(/both included and excluded: Help/);
  });
});

describe("mediawiki cursor", () => {
  const where = { sourceId: "wiki", rcMaxAgeDays: 90, now: new Date("2026-06-01T00:00:00Z") };

  it("round-trips", () => {
    const cursor = { v: 1 as const, since: "2026-05-31T12:00:00Z", seenRcIds: [41, 42] };
    expect(decodeMediawikiCursor(encodeMediawikiCursor(cursor), where)).toEqual(cursor);
  });

  it("rejects garbage as config and an expired cursor as cursor_expired", () => {
    expect(() => decodeMediawikiCursor('{"since":"yesterday"}', where)).toThrow(
      expect.objectContaining({ kind: "config", message: expect.stringMatching(/not a MediaWiki cursor/) }),
    );
    expect(() =>
      decodeMediawikiCursor(
        encodeMediawikiCursor({ v: 1, since: "2026-02-01T00:00:00Z", seenRcIds: [] }),
        where,
      ),
    ).toThrow(expect.objectContaining({ kind: "cursor_expired" }));
  });
});
