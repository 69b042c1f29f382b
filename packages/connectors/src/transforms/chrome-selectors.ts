/**
 * Elements dropped with everything inside them. Chosen for pages exported or scraped from wikis and
 * CMSes: executable or embedded content, forms and controls, site chrome (navigation, banners, page
 * footers), hidden elements, and the furniture of MediaWiki and Confluence pages (edit links, tables
 * of contents, category and like bars). `svg` and `canvas` go too: icons and charts without a text
 * alternative Fin could read. `<aside>` and `<header>` are handled separately (see clean-html.ts).
 */
export const CHROME_SELECTORS: readonly string[] = [
  // Executable, embedded and non-text content.
  "script",
  "style",
  "noscript",
  "template",
  "iframe",
  "frame",
  "frameset",
  "object",
  "embed",
  "applet",
  "canvas",
  "svg",
  "audio",
  "video",
  "source",
  "track",
  "map",
  "link",
  "meta",
  "base",
  "dialog",
  // Forms and controls.
  "form",
  "input",
  "button",
  "select",
  "textarea",
  "option",
  "optgroup",
  "fieldset",
  // Site chrome.
  "nav",
  "footer",
  "[role=navigation]",
  "[role=banner]",
  "[role=contentinfo]",
  "[role=search]",
  "[role=dialog]",
  ".breadcrumb",
  ".breadcrumbs",
  ".skip-link",
  // Comment threads and share widgets of CMS themes: visitors' chatter, not the article.
  ".comments-area",
  ".sharedaddy",
  // Hidden content.
  "[hidden]",
  "[aria-hidden=true]",
  // MediaWiki.
  ".mw-editsection",
  ".mw-jump-link",
  "#toc",
  ".toc",
  "#siteSub",
  "#contentSub",
  "#jump-to-nav",
  ".printfooter",
  "#catlinks",
  ".catlinks",
  ".navbox",
  ".noprint",
  "#mw-navigation",
  // Confluence.
  "#breadcrumb-section",
  ".page-metadata",
  "#likes-and-labels-container",
  "#comments-section",
  ".content-navigation",
  ".toc-macro",
];

/** Image URLs of analytics beacons: pictures that only report a visit. */
export const BEACON_PATTERNS: readonly RegExp[] = [
  /\/\/(www\.)?facebook\.com\/tr\b/i,
  /\/\/[^/]*google-analytics\.com\//i,
  /\/\/[^/]*googletagmanager\.com\//i,
  /\/\/[^/]*doubleclick\.net\//i,
  /\/\/bat\.bing\.com\//i,
  /\/\/[^/]*\.linkedin\.com\/px\b/i,
  /\/\/px\.ads\.linkedin\.com\//i,
  /\/\/[^/]*quantserve\.com\//i,
  /\/\/[^/]*scorecardresearch\.com\//i,
  /\/\/(pixel|beacon|track|tracking)\.[^/]+\//i,
];
