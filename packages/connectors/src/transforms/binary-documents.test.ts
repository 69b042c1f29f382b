import { describe, expect, it } from "vitest";
import { buildSampleDocx, buildSamplePdf } from "../../test/transforms/sample-documents.js";
import { DOCX_MEDIA_TYPE, PDF_MEDIA_TYPE } from "../toolkit/media-types/media-types.js";
import { toCleanHtml } from "./to-clean-html.js";

describe("DOCX", () => {
  it("keeps headings, emphasis, lists and tables from a generated Word document", async () => {
    const data = await buildSampleDocx();
    const result = await toCleanHtml({ body: { kind: "binary", mediaType: DOCX_MEDIA_TYPE, data } });
    expect(result.title).toBe("Expense policy");
    expect(result.html).toContain("<h1>Expense policy</h1>");
    expect(result.html).toContain("<p>Submit receipts within <strong>30 days</strong>.</p>");
    expect(result.html).toContain("<h2>Travel</h2>");
    expect(result.html).toContain("<ul>\n<li>Book economy class</li>\n<li>Use the company card</li>\n</ul>");
    expect(result.html).toMatch(/<table>[\s\S]*<td>\s*<p>Hotel<\/p>\s*<\/td>\s*<td>\s*<p>150 EUR<\/p>/);
    const again = await toCleanHtml({ body: { kind: "binary", mediaType: DOCX_MEDIA_TYPE, data } });
    expect(again.html).toBe(result.html);
  });
});

describe("PDF", () => {
  it("groups a generated PDF's text into headings and paragraphs", async () => {
    const data = await buildSamplePdf();
    const copy = new Uint8Array(data);
    const result = await toCleanHtml({ body: { kind: "binary", mediaType: PDF_MEDIA_TYPE, data } });
    expect(result.html).toBe(
      [
        "<h1>Onboarding Guide</h1>",
        "<p>New employees receive a laptop on their first day and should set up two-factor authentication right away.</p>",
        "<p>Questions go to the #it-help channel.</p>",
        "<h2>Benefits</h2>",
        "<p>Health insurance starts on the first of the month.</p>",
      ].join("\n"),
    );
    // Without a Title entry, the title comes from the first <h1>.
    expect(result.title).toBe("Onboarding Guide");
    // pdf.js must not have detached the caller's buffer.
    expect(data).toEqual(copy);
  });

  it("uses the PDF's Title entry when it has one", async () => {
    const data = await buildSamplePdf({ title: "Onboarding (v3)" });
    const result = await toCleanHtml({ body: { kind: "binary", mediaType: PDF_MEDIA_TYPE, data } });
    expect(result.title).toBe("Onboarding (v3)");
  });

  it("refuses a PDF cut off before its trailer, and one without a header, from their two ends", async () => {
    const whole = await buildSamplePdf();
    const cut = whole.slice(0, Math.floor(whole.byteLength / 2));
    await expect(
      toCleanHtml({ body: { kind: "binary", mediaType: PDF_MEDIA_TYPE, data: cut } }),
    ).rejects.toThrow("cannot read the PDF document: no startxref near its end: the file is cut off");
    const notPdf = new TextEncoder().encode("this is a text file saved with a .pdf name");
    await expect(
      toCleanHtml({ body: { kind: "binary", mediaType: PDF_MEDIA_TYPE, data: notPdf } }),
    ).rejects.toThrow("cannot read the PDF document: no %PDF- header: the file is not a PDF");
  });

  it("still reads a whole PDF with junk after its end, as some generators leave", async () => {
    const whole = await buildSamplePdf();
    const data = new Uint8Array([...whole, ...new TextEncoder().encode("\n\n\u0000garbage after the end\n")]);
    const result = await toCleanHtml({ body: { kind: "binary", mediaType: PDF_MEDIA_TYPE, data } });
    expect(result.html).toContain("<h1>Onboarding Guide</h1>");
  });
});
