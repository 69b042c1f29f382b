import { describe, expect, it } from "vitest";
import { DiscoverySchemas, sharedContract } from "../../src/testing/index.js";

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
