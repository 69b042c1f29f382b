import * as cheerio from "cheerio";

/**
 * Cleans `action=parse` output for the transforms. It drops what only makes sense on the wiki
 * (edit-section links, the table of contents, the parser's cache report comments), unwraps the
 * `mw-parser-output` div, and makes links and images absolute against the page's URL, so that
 * citations in Fin lead back to the wiki.
 */
export function cleanParserOutput(html: string, pageUrl: string): string {
  const $ = cheerio.load(html, null, false);
  $(".mw-editsection, #toc, .toc, .mw-empty-elt, script, style").remove();
  $("*")
    .contents()
    .filter((_, node) => node.type === "comment")
    .remove();
  $(".mw-parser-output").each((_, element) => {
    $(element).replaceWith($(element).contents());
  });
  for (const [selector, attribute] of [
    ["a[href]", "href"],
    ["img[src]", "src"],
  ] as const) {
    $(selector).each((_, element) => {
      const value = $(element).attr(attribute);
      if (!value || value.startsWith("#")) return;
      try {
        $(element).attr(attribute, new URL(value, pageUrl).href);
      } catch {
        // A value that is not a URL at all stays as the wiki wrote it.
      }
    });
  }
  $("img[srcset]").removeAttr("srcset");
  return $.html().trim();
}
