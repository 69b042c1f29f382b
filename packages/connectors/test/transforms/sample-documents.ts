import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from "docx";
import { PDFDocument, StandardFonts } from "pdf-lib";

/**
 * Builds a small Word document the way Word structures one: a Heading 1, a paragraph with bold text,
 * a bulleted list and a two-column table.
 */
export async function buildSampleDocx(): Promise<Uint8Array> {
  const cell = (text: string) => new TableCell({ children: [new Paragraph(text)] });
  const document = new Document({
    sections: [
      {
        children: [
          new Paragraph({ text: "Expense policy", heading: HeadingLevel.HEADING_1 }),
          new Paragraph({
            children: [
              new TextRun("Submit receipts within "),
              new TextRun({ text: "30 days", bold: true }),
              new TextRun("."),
            ],
          }),
          new Paragraph({ text: "Travel", heading: HeadingLevel.HEADING_2 }),
          new Paragraph({ text: "Book economy class", bullet: { level: 0 } }),
          new Paragraph({ text: "Use the company card", bullet: { level: 0 } }),
          new Table({
            rows: [
              new TableRow({ children: [cell("Item"), cell("Limit")] }),
              new TableRow({ children: [cell("Hotel"), cell("150 EUR")] }),
            ],
          }),
        ],
      },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(document));
}

/**
 * Builds a two-page PDF with a large title line, a paragraph wrapped over two lines, a second
 * paragraph after a gap, and a smaller-than-title section heading on page two.
 */
export async function buildSamplePdf(options: { title?: string } = {}): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (options.title !== undefined) pdf.setTitle(options.title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const first = pdf.addPage([612, 792]);
  first.drawText("Onboarding Guide", { x: 72, y: 720, size: 24, font });
  first.drawText("New employees receive a laptop on their first day and", { x: 72, y: 680, size: 11, font });
  first.drawText("should set up two-factor authentication right away.", { x: 72, y: 666, size: 11, font });
  first.drawText("Questions go to the #it-help channel.", { x: 72, y: 630, size: 11, font });
  const second = pdf.addPage([612, 792]);
  second.drawText("Benefits", { x: 72, y: 720, size: 16, font });
  second.drawText("Health insurance starts on the first of the month.", { x: 72, y: 690, size: 11, font });
  return pdf.save();
}
