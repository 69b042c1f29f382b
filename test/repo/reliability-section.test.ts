import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  README_FILE,
  readResults,
  renderReliability,
  sectionOf,
} from "../../scripts/generate-reliability.js";

/**
 * The README's reliability section is generated from the fault suite's results file, never typed by
 * hand: regenerate it with `node --conditions=source --import tsx scripts/generate-reliability.ts`.
 */
describe("README reliability section", () => {
  it("matches test/faults/results.json", () => {
    const section = sectionOf(readFileSync(README_FILE, "utf8"));
    expect(section, "README.md lacks the reliability markers").toBeDefined();
    expect(section).toBe(renderReliability(readResults()));
  });

  it("reports no lost, duplicated, stale or wrongly deleted page and no accepted forgery", () => {
    const results = readResults();
    expect(results).toMatchObject({
      pagesLost: 0,
      pagesDuplicated: 0,
      pagesStale: 0,
      pagesWronglyDeleted: 0,
      forgedWebhooksAccepted: 0,
    });
    expect(results.pagesCompared).toBeGreaterThan(0);
  });
});
