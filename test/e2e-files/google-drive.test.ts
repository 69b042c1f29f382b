import type { SourceConfig } from "@content-sync/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { googleDriveConnector } from "../../packages/connectors/src/google-drive/index.js";
import { DriveFixture } from "../../packages/connectors/test/google-drive/drive-fixture.js";
import { CmsSyncHarness } from "../e2e-cms/support/cms-sync-harness.js";

const HANDBOOK = "0AHandbookDrive01";

// The Drive fixture (shared drive, My Drive folders, Docs export, change feed) → the engine → the
// Intercom sandbox, as an operator configures it.
describe("Google Drive → sync engine → Intercom sandbox, end to end", () => {
  let drive: DriveFixture;
  let h: CmsSyncHarness;
  let env: Record<string, string>;
  let source: SourceConfig;
  const ids = {
    big: "",
    broken: "",
    budget: "",
    faq: "",
    leave: "",
    login: "",
    notes: "",
    onboarding: "",
    personal: "",
    policies: "",
    support: "",
    vpn: "",
  };

  beforeAll(async () => {
    drive = await DriveFixture.start();
    drive.addDrive(HANDBOOK);
    ids.policies = drive.addFolder("Policies", HANDBOOK);
    ids.leave = drive.addFile(
      "leave.md",
      ids.policies,
      "# Leave\n\nTake it when you need it.",
      "text/markdown",
    );
    ids.onboarding = drive.addDoc(
      "Onboarding",
      HANDBOOK,
      "<html><body><h1>Welcome</h1><p>Your first week, day by day.</p></body></html>",
    );
    ids.broken = drive.addFile("broken.pdf", ids.policies, "this is not a PDF at all", "application/pdf");
    ids.big = drive.addFile("big.txt", ids.policies, "x".repeat(5000), "text/plain");
    ids.budget = drive.addSheet("Budget", HANDBOOK);
    ids.support = drive.addFolder("Support");
    ids.faq = drive.addFolder("FAQ", ids.support);
    ids.login = drive.addFile(
      "login.html",
      ids.faq,
      "<html><body><h1>Logging in</h1><p>Use SSO.</p></body></html>",
      "text/html",
    );
    ids.notes = drive.addFile("notes.txt", ids.support, "Escalate to the on-call engineer.", "text/plain");
    ids.personal = drive.addFolder("Personal");
    drive.addFile("diary.txt", ids.personal, "Not for Fin.", "text/plain");
    env = {
      DRIVE_E2E_URL: drive.url,
      DRIVE_E2E_TOKEN_URL: drive.tokenUrl,
      DRIVE_E2E_KEY: drive.serviceAccountKey,
    };
    h = await CmsSyncHarness.start(googleDriveConnector);
    source = h.source(
      `
      id: drive-handbook
      type: google-drive
      contentImportSource: { url: "https://drive.google.com/drive/folders/${ids.support}" }
      options:
        serviceAccountKeyEnv: DRIVE_E2E_KEY
        baseUrl: \${DRIVE_E2E_URL}
        tokenUrl: \${DRIVE_E2E_TOKEN_URL}
        drives: [${HANDBOOK}]
        folders: [${ids.support}]
        pageSize: 2
        maxFileSize: 1000
      `,
      env,
    );
  });

  afterAll(async () => {
    await h?.close();
    await drive?.close();
  });

  it("first full sync creates one page per file in scope and reports the corrupt and the oversize file", async () => {
    const summary = await h.run(source, env, "full");
    expect(summary).toMatchObject({
      mode: "full",
      created: 4,
      updated: 0,
      deleted: 0,
      failed: 2,
      listingComplete: true,
    });
    expect(await h.writes()).toEqual({
      upserts: 4,
      deletes: 0,
      upsertsSucceeded: 4,
      deletesSucceeded: 0,
      sourcesCreated: 1,
    });
    expect((await h.pages(source)).map((page) => page.external_id)).toEqual(
      [ids.leave, ids.onboarding, ids.login, ids.notes].sort(),
    );
    const failures = new Map(summary.failures.map((failure) => [failure.externalId, failure.reason]));
    expect(failures.get(ids.big)).toContain("Policies/big.txt is 5000 bytes, above maxFileSize (1000 bytes)");
    // The corrupt PDF fails in conversion and stays out of the deletions (never listed as gone).
    expect(failures.get(ids.broken)).toBe(
      "cannot read the PDF document: no %PDF- header: the file is not a PDF",
    );
    const onboarding = await h.page(source, ids.onboarding);
    expect(onboarding).toMatchObject({
      title: "Onboarding",
      url: `https://docs.google.com/document/d/${ids.onboarding}/edit?usp=drivesdk`,
    });
    expect(onboarding.html).toContain("Your first week, day by day.");
    expect(await h.page(source, ids.leave)).toMatchObject({ title: "leave" });
  });

  it("a second run with nothing changed writes nothing, full or incremental", async () => {
    await h.resetStats();
    expect(await h.run(source, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 4,
      failed: 2,
    });
    expect(await h.run(source, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0, sourcesCreated: 0 });
  });

  it("an incremental run applies exactly the edit, the new file, the trash and the move out of scope", async () => {
    await h.resetStats();
    drive.edit(ids.leave, { content: "# Leave\n\nTake it when you need it, and tell your team." });
    ids.vpn = drive.addFile("vpn.md", ids.faq, "# VPN\n\nConnect before you log in.", "text/markdown");
    drive.trash(ids.onboarding);
    drive.edit(ids.notes, { parent: ids.personal });
    const downloads = drive.api.requestsTo(`/drive/v3/files/${ids.login}`).length;
    drive.touchMetadata(ids.login); // shared with someone: a new Drive version, the same bytes
    expect(await h.run(source, env, "incremental")).toMatchObject({
      mode: "incremental",
      created: 1,
      updated: 1,
      deleted: 2,
      failed: 0,
    });
    expect(await h.writes()).toMatchObject({
      upserts: 2,
      upsertsSucceeded: 2,
      deletes: 2,
      deletesSucceeded: 2,
    });
    expect(drive.api.requestsTo(`/drive/v3/files/${ids.login}`)).toHaveLength(downloads);
    expect((await h.pages(source)).map((page) => page.external_id)).toEqual(
      [ids.leave, ids.login, ids.vpn].sort(),
    );
    expect((await h.page(source, ids.leave)).html).toContain("tell your team");
    await h.resetStats();
    expect(await h.run(source, env, "incremental")).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(await h.run(source, env, "full")).toMatchObject({
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
      failed: 2,
    });
    expect(await h.writes()).toMatchObject({ upserts: 0, deletes: 0 });
  });
});
