import { describe, expect, it } from "vitest";
import { buildSampleDocx, buildSamplePdf } from "../transforms/sample-documents.js";
import {
  bodyFromBytes,
  bodyKindOf,
  DOCX_MEDIA_TYPE,
  formatOfName,
  PDF_MEDIA_TYPE,
  SUPPORTED_EXTENSIONS,
  sniffMediaType,
} from "../../src/toolkit/media-types/media-types.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("media types", () => {
  it("maps extensions and media types through one table", () => {
    expect(SUPPORTED_EXTENSIONS).toEqual(["md", "markdown", "html", "htm", "txt", "docx", "pdf"]);
    expect(formatOfName("Guides/Setup.DOCX")).toEqual({ kind: "binary", mediaType: DOCX_MEDIA_TYPE });
    expect(formatOfName("notes.markdown")).toEqual({ kind: "markdown", mediaType: "text/markdown" });
    expect(formatOfName("logo.png")).toBeUndefined();
    expect(formatOfName(".profile")).toBeUndefined();
    expect(bodyKindOf("Text/HTML; charset=utf-8")).toBe("html");
    expect(bodyKindOf("text/x-markdown")).toBe("markdown");
    expect(bodyKindOf("image/png")).toBeUndefined();
  });

  it("sniffs files without an extension: PDF, DOCX, HTML, text and binary", async () => {
    expect(sniffMediaType(await buildSamplePdf())).toBe(PDF_MEDIA_TYPE);
    expect(sniffMediaType(await buildSampleDocx())).toBe(DOCX_MEDIA_TYPE);
    expect(sniffMediaType(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]))).toBe("application/zip");
    expect(
      sniffMediaType(bytes("\uFEFF  <!-- exported -->\n<!DOCTYPE html><html><body>x</body></html>")),
    ).toBe("text/html");
    expect(sniffMediaType(bytes("Agenda\n\n- déjà vu\t1\n"))).toBe("text/plain");
    expect(sniffMediaType(new Uint8Array([0x48, 0x69, 0x00, 0x01]))).toBe("application/octet-stream");
    expect(sniffMediaType(new Uint8Array([0xc3, 0x28]))).toBe("application/octet-stream");
  });

  it("builds a body from bytes: declared type first, then the name, then the content", async () => {
    const pdf = await buildSamplePdf();
    expect(bodyFromBytes(pdf, { fileName: "README" })).toMatchObject({
      kind: "binary",
      mediaType: PDF_MEDIA_TYPE,
    });
    expect(bodyFromBytes(bytes("# Title"), { fileName: "page.md" })).toEqual({
      kind: "markdown",
      markdown: "# Title",
    });
    expect(
      bodyFromBytes(bytes("<p>x</p>"), { declaredMediaType: "text/html; charset=utf-8", fileName: "x.txt" }),
    ).toEqual({
      kind: "html",
      html: "<p>x</p>",
    });
    expect(bodyFromBytes(bytes("plain words"), { fileName: "LICENSE" })).toEqual({
      kind: "text",
      text: "plain words",
    });
    expect(bodyFromBytes(new Uint8Array([0, 1, 2]), { fileName: "blob" })).toBeUndefined();
  });
});
