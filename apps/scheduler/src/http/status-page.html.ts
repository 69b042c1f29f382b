/**
 * The status page: static HTML plus a small script that reads `/api/status` and posts "sync now" with
 * the admin token the operator types (kept in sessionStorage, sent as a Bearer header). Without the
 * token `/api/status` is a summary (counts, lag, schedules); with it, document errors and failed jobs
 * too. Everything dynamic is inserted with textContent, so document errors cannot inject markup.
 *
 * The page re-renders every 2 s, so what a "Sync now" click answered is kept per source and drawn
 * again by each render, instead of living in an element the next render replaces.
 */
export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>content-sync status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d1d1f; }
  h1 { font-size: 1.3rem; } h2 { font-size: 1.1rem; margin: 0 0 .3rem; }
  .source { border: 1px solid #ddd; border-radius: 6px; padding: .8rem; margin: .8rem 0; }
  table { border-collapse: collapse; margin-top: .4rem; } td, th { padding: .2rem .6rem; border-bottom: 1px solid #eee; text-align: left; }
  .muted { color: #777; } .error { color: #b00020; } .partial { color: #a15c00; } .succeeded { color: #1b7f3b; }
  #auth { margin: .5rem 0 1rem; } button { cursor: pointer; }
</style>
</head>
<body>
<h1>content-sync</h1>
<div id="auth">
  <label>Admin token <input id="admin-token" type="password" autocomplete="off"></label>
  <span class="muted">needed for "Sync now" · <a id="board" href="/admin/queues">queue dashboard</a></span>
</div>
<div id="detail" class="muted"></div>
<div id="notices"></div>
<div id="queue" class="muted">loading…</div>
<div id="sources"></div>
<h2>Failed jobs</h2>
<div id="failed" class="muted">none</div>
<script>
const tokenInput = document.getElementById("admin-token");
tokenInput.value = sessionStorage.getItem("content-sync-admin") || "";
tokenInput.addEventListener("change", () => { sessionStorage.setItem("content-sync-admin", tokenInput.value); refresh(); });
const el = (tag, text, className) => { const node = document.createElement(tag); if (text !== undefined) node.textContent = text; if (className) node.className = className; return node; };
// Bull Board loads its own assets, so the browser logs in once: /admin/login sets the admin cookie.
document.getElementById("board").addEventListener("click", (event) => {
  if (!tokenInput.value) return;
  event.preventDefault();
  location.href = "/admin/login?token=" + encodeURIComponent(tokenInput.value);
});
const when = (ms) => ms ? new Date(ms).toLocaleString() : "—";
const auth = () => tokenInput.value ? { authorization: "Bearer " + tokenInput.value } : {};
// What the last "Sync now" of each source answered: { text, className }. Survives re-renders.
const messages = new Map();
let busy = new Set();

async function syncNow(sourceId) {
  busy.add(sourceId);
  messages.set(sourceId, { text: "queueing…", className: "muted" });
  render();
  try {
    const response = await fetch("/api/sources/" + encodeURIComponent(sourceId) + "/sync", {
      method: "POST",
      headers: { ...auth(), "content-type": "application/json" },
      body: JSON.stringify({ mode: "full" }),
    });
    const body = await response.json().catch(() => ({ error: "HTTP " + response.status }));
    messages.set(sourceId, response.ok
      ? { text: "queued as " + body.jobId, className: "muted" }
      : { text: "refused: " + body.error, className: "error" });
  } catch (error) {
    messages.set(sourceId, { text: "failed: " + error, className: "error" });
  } finally {
    busy.delete(sourceId);
    render();
    refresh();
  }
}

function renderSource(source) {
  const box = el("section", undefined, "source");
  box.dataset.source = source.id;
  box.append(el("h2", source.name + " (" + source.type + ")"));
  const state = !source.enabled ? "disabled" : source.runningRun ? "running " + source.runningRun : "idle";
  box.append(el("div", "state: " + state + " · lag: " + (source.lagSeconds === undefined ? "never synced" : source.lagSeconds + "s") + (source.webhook ? " · webhook on" : ""), "muted"));
  const schedules = source.schedules.map((s) => s.mode + " " + (s.every !== undefined ? "every " + s.every / 1000 + "s" : s.pattern + " " + (s.tz || "UTC")) + " (next " + when(s.next) + ")");
  box.append(el("div", "schedules: " + (schedules.join("; ") || "none")));
  const button = el("button", "Sync now");
  button.disabled = busy.has(source.id);
  const said = messages.get(source.id);
  const message = el("span", said ? said.text : "", said ? said.className : "muted");
  message.dataset.message = "sync";
  button.addEventListener("click", () => syncNow(source.id));
  box.append(button, " ", message);
  const table = el("table");
  const head = el("tr");
  for (const title of ["finished", "mode", "status", "created", "updated", "unchanged", "deleted", "failed", "note"]) head.append(el("th", title));
  table.append(head);
  for (const run of source.lastRuns) {
    const row = el("tr");
    row.className = "run";
    row.append(el("td", when(run.finishedAt)), el("td", run.mode), el("td", run.status, run.status === "failed" ? "error" : run.status));
    for (const kind of ["created", "updated", "unchanged", "deleted", "failed"]) { const cell = el("td", String(run.counts[kind])); cell.dataset.count = kind; row.append(cell); }
    row.append(el("td", run.message || (run.errorCount ? run.errorCount + " document error(s): admin token to see them" : "")));
    table.append(row);
    for (const error of (run.errors || []).slice(0, 10)) {
      const errorRow = el("tr");
      const cell = el("td", error.externalId + ": " + error.message, "error");
      cell.colSpan = 9;
      errorRow.append(cell);
      table.append(errorRow);
    }
  }
  if (source.lastRuns.length === 0) box.append(el("div", "no runs yet", "muted"));
  else box.append(table);
  return box;
}

let report;
function render() {
  if (!report) return;
  const q = report.queue;
  document.getElementById("detail").textContent = report.detail === "full" ? "" : "Summary: document errors and failed jobs need the admin token.";
  document.getElementById("queue").textContent = "queue: " + q.waiting + " waiting, " + q.active + " active, " + q.delayed + " delayed, " + q.waitingChildren + " waiting for batches, " + q.failed + " failed";
  document.getElementById("sources").replaceChildren(...report.sources.map(renderSource));
  // Secrets a webhook handshake handed over (Notion's verification token), for the admin to configure.
  document.getElementById("notices").replaceChildren(...(report.adminNotices || []).map((notice) => {
    const box = el("section", undefined, "notice");
    box.append(el("h2", "Webhook verification for " + notice.sourceId), el("div", notice.message), el("code", notice.secret), el("div", "received " + when(notice.receivedAt), "muted"));
    return box;
  }));
  const failed = document.getElementById("failed");
  if (report.detail !== "full") { failed.textContent = q.failed + " (details need the admin token)"; return; }
  failed.replaceChildren(...report.failedJobs.map((job) => el("div", job.id + " " + job.name + " " + (job.sourceId || "") + ": " + job.reason, "error")));
  if (report.failedJobs.length === 0) failed.textContent = "none";
}

async function refresh() {
  let response = await fetch("/api/status", { headers: auth() });
  if (response.status === 401) {
    document.getElementById("detail").textContent = "The admin token is wrong: showing the summary.";
    response = await fetch("/api/status");
  }
  if (!response.ok) { document.getElementById("queue").textContent = "status unavailable (" + response.status + ")"; return; }
  report = await response.json();
  render();
}
refresh();
setInterval(refresh, 2000);
</script>
</body>
</html>
`;
