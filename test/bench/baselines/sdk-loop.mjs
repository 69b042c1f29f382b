// Baseline: the same job over Intercom's official SDK (intercom-client): read each file, send its text
// as the page's HTML with createExternalPage, 10 calls in flight.
// Usage: node sdk-loop.mjs <api-url> <token> <folder>
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { IntercomClient } from "intercom-client";

const [baseUrl, token, root] = process.argv.slice(2);
const IN_FLIGHT = 10;
const client = new IntercomClient({ token, baseUrl });

const source = await client.aiContent.createContentImportSource({
  url: "https://help.example.com/",
  sync_behavior: "api",
});
const files = (await readdir(root, { recursive: true })).filter((file) => file.endsWith(".md")).sort();
let next = 0;
async function worker() {
  while (next < files.length) {
    const file = files[next++];
    const text = await readFile(path.join(root, file), "utf8");
    await client.aiContent.createExternalPage({
      title: path.basename(file, ".md"),
      html: text,
      url: `https://help.example.com/${file}`,
      locale: "en",
      source_id: source.id,
      external_id: file,
    });
  }
}
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
console.log(`upserted ${files.length} pages`);
