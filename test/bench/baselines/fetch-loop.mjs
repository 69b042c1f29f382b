// Baseline: what someone would write by hand without content-sync. Reads every Markdown file of a
// folder and upserts it as an External Page with one sequential `fetch` per file, its text sent as
// the HTML. Usage: node fetch-loop.mjs <api-url> <token> <folder>
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

const [baseUrl, token, root] = process.argv.slice(2);
const headers = {
  Authorization: `Bearer ${token}`,
  "Content-Type": "application/json",
  Accept: "application/json",
  "Intercom-Version": "2.12",
};

async function post(route, body) {
  const response = await fetch(`${baseUrl}${route}`, { method: "POST", headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${route} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

const source = await post("/ai/content_import_sources", {
  url: "https://help.example.com/",
  sync_behavior: "api",
});
const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith(".md")).sort();
for (const file of files) {
  const text = await readFile(path.join(root, file), "utf8");
  await post("/ai/external_pages", {
    title: path.basename(file, ".md"),
    html: text,
    url: `https://help.example.com/${file}`,
    locale: "en",
    source_id: source.id,
    external_id: file,
  });
}
console.log(`upserted ${files.length} pages`);
