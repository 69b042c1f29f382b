import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  contractViolations,
  DiscoverySchemas,
  FixtureServer,
  OpenApiSchemas,
  type PrismServer,
  sharedContract,
  startPrismProxy,
} from "../../src/testing/index.js";

// The vendor descriptions live in ../shared/contracts beside the checkout (see its README); a clone
// without that folder skips these checks, and says so in the test names.
const driveDoc = sharedContract("google-drive/drive.v3.json");

describe.skipIf(driveDoc === undefined)(
  `fixture answers held against Google Drive's discovery document${driveDoc ? "" : " (skipped: ../shared/contracts is absent)"}`,
  () => {
    const fileList = {
      kind: "drive#fileList",
      incompleteSearch: false,
      nextPageToken: "page-2",
      files: [
        {
          kind: "drive#file",
          id: "1a2b3c",
          name: "Onboarding",
          mimeType: "application/vnd.google-apps.document",
          modifiedTime: "2025-03-04T10:00:00.000Z",
          version: "42",
          trashed: false,
          webViewLink: "https://docs.google.com/document/d/1a2b3c/edit",
          parents: ["0AAbc"],
        },
      ],
    };

    it("passes a files.list answer that matches the File and FileList schemas", () => {
      const drive = DiscoverySchemas.load(driveDoc ?? "");
      expect(drive.errors("FileList", fileList)).toEqual([]);
    });

    it("reports misspelt fields and wrong types, naming where", () => {
      const drive = DiscoverySchemas.load(driveDoc ?? "");
      const [file] = fileList.files;
      const errors = drive.errors("FileList", {
        ...fileList,
        files: [{ ...file, modifiedTim: "x", trashed: "no" }],
      });
      expect(errors).toContain("/files/0 must NOT have additional properties (modifiedTim)");
      expect(errors).toContain("/files/0/trashed must be boolean");
      expect(() => drive.errors("Nope", {})).toThrow('the discovery document has no schema "Nope"');
    });
  },
);

const notionSpec = sharedContract("notion/mcp-server-openapi/notion-openapi.json");

describe.skipIf(notionSpec === undefined)(
  `fixture answers held against Notion's OpenAPI through a Prism proxy${notionSpec ? "" : " (skipped: ../shared/contracts is absent)"}`,
  () => {
    let fixture: FixtureServer;
    let prism: PrismServer;

    beforeAll(async () => {
      fixture = await FixtureServer.start();
      fixture.route("GET", "/v1/users/me", () => ({
        json: {
          object: "user",
          id: "9a1f7f4e-2b3c-4d5e-8f90-123456789abc",
          type: "bot",
          name: "content-sync",
          bot: {},
        },
      }));
      prism = await startPrismProxy(notionSpec ?? "", fixture.url);
    });
    afterAll(async () => {
      await prism?.stop();
      await fixture?.close();
    });

    it("forwards a request the spec allows and reports how the fixture's answer measures up", async () => {
      const response = await fetch(`${prism.baseUrl}/v1/users/me`, {
        headers: { authorization: "Bearer fixture", "notion-version": "2022-06-28" },
      });
      expect(response.status).toBe(200);
      expect(fixture.requestsTo("/v1/users/me")).toHaveLength(1);
      expect(contractViolations(response).filter((violation) => violation.severity === "Error")).toEqual([]);
    });

    it("refuses a request the spec does not describe before it reaches the fixture", async () => {
      const before = fixture.requests.length;
      const response = await fetch(`${prism.baseUrl}/v1/nowhere`, {
        headers: { authorization: "Bearer fixture" },
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(fixture.requests.length).toBe(before);
    });
  },
);

const graphSpec = sharedContract("microsoft-graph/graph-v1.0-subset.yaml");

describe.skipIf(graphSpec === undefined)(
  `fixture answers held against the Microsoft Graph OpenAPI subset's schemas${graphSpec ? "" : " (skipped: ../shared/contracts is absent)"}`,
  () => {
    const driveItem = {
      id: "01ABCDEF",
      name: "Handbook.docx",
      size: 2048,
      eTag: '"{1234},2"',
      lastModifiedDateTime: "2025-03-04T10:00:00Z",
      webUrl: "https://contoso.sharepoint.com/sites/hr/Shared%20Documents/Handbook.docx",
      file: { mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
      parentReference: { driveId: "b!drive", path: "/drive/root:" },
    };

    it("passes a driveItem that matches microsoft.graph.driveItem, and names what a broken one gets wrong", () => {
      const graph = OpenApiSchemas.load(graphSpec ?? "");
      expect(graph.errors("microsoft.graph.driveItem", driveItem)).toEqual([]);
      const broken = graph.errors("microsoft.graph.driveItem", { ...driveItem, name: 42, file: "docx" });
      expect(broken).toContain("/name must be string,null");
      expect(broken.some((error) => error.startsWith("/file "))).toBe(true);
    });
  },
);
