import type { SandboxStoreReader } from "./types.js";

/** Rows shown on the index before the list is cut (the page must stay light with big stores). */
const MAX_ROWS = 500;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function isoTime(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(".000Z", "Z");
}

function yesNo(flag: boolean): string {
  return flag ? "yes" : "no";
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
iframe { width: 100%; height: 70vh; border: 1px solid #ccc; }
.muted { color: #777; }
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The index: every source, then the pages (of one source when `sourceId` is given). */
export function renderIndex(store: SandboxStoreReader, sourceId: number | undefined): string {
  const sources = store.listSources();
  const allPages = store.listPages();
  const pageCounts = new Map<number, number>();
  for (const page of allPages) pageCounts.set(page.source_id, (pageCounts.get(page.source_id) ?? 0) + 1);
  const sourceRows = sources
    .map(
      (source) => `<tr>
<td><a href="/?source=${source.id}">${source.id}</a></td>
<td>${escapeHtml(source.url)}</td>
<td>${escapeHtml(source.sync_behavior)}</td>
<td>${escapeHtml(source.status)}</td>
<td>${pageCounts.get(source.id) ?? 0}</td>
<td>${isoTime(source.last_synced_at)}</td>
</tr>`,
    )
    .join("\n");
  const pages = (
    sourceId === undefined ? allPages : allPages.filter((page) => page.source_id === sourceId)
  ).reverse();
  const shown = pages.slice(0, MAX_ROWS);
  const pageRows = shown
    .map(
      (page) => `<tr>
<td><a href="/pages/${encodeURIComponent(page.id)}">${escapeHtml(page.title)}</a></td>
<td>${page.url === undefined ? '<span class="muted">none (Fin will not cite it)</span>' : escapeHtml(page.url)}</td>
<td>${escapeHtml(page.external_id)}</td>
<td>${page.source_id}</td>
<td>${isoTime(page.updated_at)}</td>
<td>${yesNo(page.ai_agent_availability)}</td>
<td>${yesNo(page.ai_copilot_availability)}</td>
</tr>`,
    )
    .join("\n");
  const scope = sourceId === undefined ? "all sources" : `source ${sourceId} (<a href="/">all</a>)`;
  const cut = pages.length > shown.length ? `<p class="muted">Showing the newest ${shown.length}.</p>` : "";
  return layout(
    "Intercom sandbox",
    `<h1>Intercom sandbox</h1>
<p class="muted">What Fin's content library holds in this sandbox. Read-only.</p>
<h2>Content import sources (${sources.length})</h2>
<table>
<tr><th>id</th><th>url</th><th>sync behavior</th><th>status</th><th>pages</th><th>last synced</th></tr>
${sourceRows}
</table>
<h2>External pages of ${scope}: ${pages.length}</h2>
${cut}
<table>
<tr><th>title</th><th>url</th><th>external id</th><th>source</th><th>updated</th><th>AI agent</th><th>AI copilot</th></tr>
${pageRows}
</table>`,
  );
}

/**
 * One page as Fin gets it. The stored HTML is shown in an iframe whose `sandbox` attribute grants
 * nothing (no scripts, no forms, no same-origin access), so synced content cannot act on this page.
 */
export function renderPage(store: SandboxStoreReader, pageId: string): string | undefined {
  const page = store.getPage(pageId);
  if (page === undefined) return undefined;
  const url = page.url === undefined ? "none" : escapeHtml(page.url);
  return layout(
    `${page.title} · Intercom sandbox`,
    `<p><a href="/">← all pages</a></p>
<h1>${escapeHtml(page.title)}</h1>
<table>
<tr><th>page id</th><td>${escapeHtml(page.id)}</td></tr>
<tr><th>external id</th><td>${escapeHtml(page.external_id)}</td></tr>
<tr><th>source</th><td><a href="/?source=${page.source_id}">${page.source_id}</a></td></tr>
<tr><th>url</th><td>${url}</td></tr>
<tr><th>created</th><td>${isoTime(page.created_at)}</td></tr>
<tr><th>updated</th><td>${isoTime(page.updated_at)}</td></tr>
<tr><th>AI agent</th><td>${yesNo(page.ai_agent_availability)}</td></tr>
<tr><th>AI copilot</th><td>${yesNo(page.ai_copilot_availability)}</td></tr>
</table>
<iframe sandbox="" title="Page content" srcdoc="${escapeHtml(page.html)}"></iframe>`,
  );
}
