import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { DocumentBody } from "../contract.js";
import { toCleanHtml } from "./to-clean-html.js";

// Golden files hold the exact expected output. After an intended change to the cleaning rules,
// regenerate them with `UPDATE_GOLDEN=1 npx vitest run packages/connectors/src/transforms` and review
// the diff before keeping it.
const testDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../test/transforms");
const updateGolden = process.env.UPDATE_GOLDEN === "1";

interface GoldenCase {
  fixture: string;
  url?: string;
  title: string;
  kind: "html" | "markdown";
}

const cases: GoldenCase[] = [
  {
    fixture: "mediawiki-page.html",
    url: "https://wiki.example.com/wiki/Password_reset",
    title: "Password reset - Support Wiki",
    kind: "html",
  },
  {
    fixture: "confluence-page.html",
    url: "https://acme.atlassian.example/wiki/spaces/SUP/pages/98765/Refund+policy",
    title: "Refund policy - Support - Confluence",
    kind: "html",
  },
  {
    fixture: "cms-post.html",
    url: "https://blog.example.com/export-invoices/",
    title: "How to export your invoices – Acme Blog",
    kind: "html",
  },
  {
    fixture: "relative-links.html",
    url: "https://docs.example.com/guide/install/index.html",
    title: "Installing the agent",
    kind: "html",
  },
  {
    fixture: "readme.md",
    url: "https://git.example.com/acme/service/blob/main/README.md",
    title: "Deploying the service",
    kind: "markdown",
  },
];

async function transformFixture(testCase: GoldenCase) {
  const source = await readFile(path.join(testDir, "fixtures", testCase.fixture), "utf8");
  const body: DocumentBody =
    testCase.kind === "html" ? { kind: "html", html: source } : { kind: "markdown", markdown: source };
  return toCleanHtml(testCase.url === undefined ? { body } : { body, url: testCase.url });
}

describe("toCleanHtml golden files", () => {
  for (const testCase of cases) {
    it(`${testCase.fixture} matches its golden file byte for byte`, async () => {
      const result = await transformFixture(testCase);
      const goldenPath = path.join(testDir, "golden", `${testCase.fixture.replace(/\.\w+$/, "")}.html`);
      if (updateGolden) await writeFile(goldenPath, `${result.html}\n`);
      const golden = await readFile(goldenPath, "utf8");
      expect(`${result.html}\n`).toBe(golden);
      expect(result.title).toBe(testCase.title);
      expect(result.truncated).toBe(false);
      expect(result.bytes).toBe(Buffer.byteLength(result.html, "utf8"));
    });

    it(`${testCase.fixture} transforms to identical bytes twice`, async () => {
      const first = await transformFixture(testCase);
      const second = await transformFixture(testCase);
      expect(second.html).toBe(first.html);
    });
  }
});

describe("what the golden outputs must show", () => {
  it("drops MediaWiki chrome: edit links, table of contents, navigation, categories, footer", async () => {
    const { html } = await transformFixture(cases[0] as GoldenCase);
    for (const chrome of [
      "edit",
      "Contents",
      "Jump to",
      "Navigation menu",
      "Log in",
      "Category",
      "last edited",
    ]) {
      expect(html).not.toContain(chrome);
    }
    expect(html).toContain("<h2>Steps</h2>");
    expect(html).toContain('<td rowspan="2">');
    expect(html).toContain('href="https://wiki.example.com/wiki/Sign-in_page"');
    expect(html).toContain("30&nbsp;minutes");
    expect(html).toContain("curl -X POST https://api.example.com/v1/password_resets \\\n  -d");
  });

  it("drops the CMS post's trackers, share widgets, comments and attributes but keeps its content", async () => {
    const { html } = await transformFixture(cases[2] as GoldenCase);
    for (const tracking of [
      "gtag",
      "fbq",
      "facebook.com/tr",
      "pixel.wp.com",
      "utm_",
      "fbclid",
      "gclid",
      "data-",
    ]) {
      expect(html).not.toContain(tracking);
    }
    for (const attribute of [" style=", " class=", " onclick=", " target=", " id="]) {
      expect(html).not.toContain(attribute);
    }
    for (const chrome of ["Share this", "Leave a Reply", "Recent Posts", "Proudly powered", "Pricing"]) {
      expect(html).not.toContain(chrome);
    }
    expect(html).toContain('<a href="https://app.example.com/billing?tab=invoices">Billing</a>');
    expect(html).toContain('<a href="https://app.example.com/signup?plan=pro">Start a trial</a>');
    expect(html).toContain('<abbr title="Comma-separated values">CSV</abbr>');
    expect(html).toContain("<figcaption>The export dialog</figcaption>");
  });

  it("resolves relative links and images and drops unsafe URLs", async () => {
    const { html } = await transformFixture(cases[3] as GoldenCase);
    expect(html).toContain('href="https://docs.example.com/guide/requirements.html"');
    expect(html).toContain('href="https://docs.example.com/docs/api/"');
    expect(html).toContain('href="https://docs.example.com/guide/install/upgrade.html#rollback"');
    expect(html).toContain('<a href="#verify">verification</a>');
    expect(html).toContain('<h2 id="verify">Verify</h2>');
    expect(html).toContain(
      'srcset="https://docs.example.com/guide/install/img/diagram.png 1x, https://docs.example.com/guide/install/img/diagram@2x.png 2x"',
    );
    expect(html).toContain('src="https://cdn.example.com/logo.svg"');
    expect(html).toContain('cite="https://docs.example.com/guide/install/notes/why.html"');
    expect(html).toContain('href="https://downloads.example.com/agent.tar.gz?arch=x86_64#sha"');
    expect(html).toContain('href="https://docs.example.com/guide/install/files/CHECKSUMS?x=1"');
    for (const unsafe of ["javascript:", "JaVaScRiPt", "data:", "file:", 'alt="inline"', 'alt="local"']) {
      expect(html.toLowerCase()).not.toContain(unsafe.toLowerCase());
    }
    expect(html).toContain("Never this or that, and not data either.");
  });

  it("converts Markdown tables, code fences and nested lists, and cleans raw HTML in it", async () => {
    const { html } = await transformFixture(cases[4] as GoldenCase);
    expect(html).toContain("<th>Default</th>");
    expect(html).toContain(
      '<pre><code class="language-bash">docker build -t service:latest .\n</code></pre>',
    );
    expect(html).toContain(
      '<code class="language-ts">export function handler(request: Request): Response {\n',
    );
    expect(html).toContain('<a href="https://git.example.com/acme/service/blob/main/runbook.md">runbook</a>');
    expect(html).toContain('<a href="https://status.example.com/">status page</a>');
    expect(html).toContain("<p>Raw HTML stays cleaned.</p>");
    expect(html).not.toContain("alert");
    expect(html).toContain(
      '<img src="https://git.example.com/acme/service/blob/main/images/topology.png" alt="Topology" title="Service topology">',
    );
  });
});
