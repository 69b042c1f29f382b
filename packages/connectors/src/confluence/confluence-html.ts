import * as cheerio from "cheerio";

/**
 * Confluence-specific clean-up of `export_view` HTML before the shared transforms: macro wrappers
 * become plain blocks, storage-format leftovers (`ac:`/`ri:` elements a macro failed to render) are
 * unwrapped to their text, emoticons become their character, and links and images relative to the
 * site become absolute (`export_view` writes `/wiki/spaces/…` and `/download/attachments/…`).
 */
export function cleanConfluenceHtml(html: string, siteBase: string | undefined): string {
  const $ = cheerio.load(html, null, false);
  $("script, style, .hidden, .aui-icon").remove();
  // Emoticons are <img class="emoticon" data-emoji-fallback="🙂" alt="(smile)">.
  $("img.emoticon").each((_, element) => {
    const image = $(element);
    const fallback = image.attr("data-emoji-fallback") ?? image.attr("alt") ?? "";
    image.replaceWith(fallback.startsWith(":") ? "" : fallback);
  });
  // Unrendered storage markup: keep any text a reader would have seen.
  $("*").each((_, element) => {
    const name = (element as { name?: string }).name ?? "";
    if (/^(ac|ri):/.test(name)) {
      const node = $(element);
      if (name === "ac:parameter" || name === "ri:attachment" || name === "ri:page") node.remove();
      else node.replaceWith(node.contents());
    }
  });
  // Info/note/warning panels and expand macros: keep the body, drop the chrome.
  $(".confluence-information-macro-icon, .expand-control").remove();
  $(".confluence-information-macro, .panel, .expand-container").each((_, element) => {
    const node = $(element);
    const body = node.find(".confluence-information-macro-body, .panelContent, .expand-content").first();
    if (body.length > 0) node.replaceWith(`<div>${body.html() ?? ""}</div>`);
  });
  $(".confluence-embedded-file-wrapper, .code.panel, .codeContent").each((_, element) => {
    const node = $(element);
    node.replaceWith(node.contents());
  });
  if (siteBase) {
    const origin = new URL(siteBase).origin;
    $("a[href], img[src]").each((_, element) => {
      const node = $(element);
      const attribute = node.is("a") ? "href" : "src";
      const value = node.attr(attribute) ?? "";
      if (value.startsWith("#") || /^[a-z][a-z0-9+.-]*:/i.test(value)) return;
      node.attr(
        attribute,
        value.startsWith("/")
          ? new URL(value, origin).href
          : new URL(value, `${siteBase.replace(/\/$/, "")}/`).href,
      );
    });
  }
  return $.html();
}
