import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Deterministic help-center articles in Markdown, 2–9 KB each, shaped like the ones teams keep in
 * docs repos: front matter, an H1, an intro, sections with H2/H3, bulleted and numbered lists, a
 * table, a fenced code block, links (relative, absolute, some with campaign parameters) and images.
 * The same seed and index always give the same bytes, so every bench run sees the same corpus.
 */

/** mulberry32: a tiny seeded PRNG, good enough to vary text and stable across Node versions. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TOPICS = ["billing", "accounts", "integrations", "security", "reports", "notifications", "exports"];
const NOUNS = [
  "workspace",
  "invoice",
  "teammate",
  "permission",
  "webhook",
  "dashboard",
  "API key",
  "subscription",
  "audit log",
  "report",
  "integration",
  "single sign-on",
  "data export",
  "billing contact",
];
const VERBS = ["open", "select", "update", "review", "export", "enable", "confirm", "invite", "rotate"];
const WORDS =
  "the a your this each every when if then after before settings page account admin team plan usage limit access change save click menu panel option field value status history list view filter result email message owner role request".split(
    " ",
  );

const LANGUAGES = ["bash", "json", "ts", "python", "yaml"];

export interface CorpusArticle {
  /** Path relative to the corpus root, e.g. `billing/article-00042.md`. */
  relativePath: string;
  markdown: string;
}

const MIN_BYTES = 2_048;
const MAX_BYTES = 9_216;

/** The article at `index` of the corpus seeded with `seed`. */
export function corpusArticle(index: number, seed = 1): CorpusArticle {
  const random = prng(seed * 1_000_003 + index);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const topic = TOPICS[index % TOPICS.length] as string;
  const noun = pick(NOUNS);
  const sentence = (minWords = 8, maxWords = 22): string => {
    const count = minWords + Math.floor(random() * (maxWords - minWords));
    const words = Array.from({ length: count }, () => pick(WORDS));
    if (random() < 0.3) words.splice(Math.floor(random() * count), 0, `**${pick(NOUNS)}**`);
    if (random() < 0.2) words.splice(Math.floor(random() * count), 0, `\`${pick(VERBS)}_${topic}\``);
    const text = words.join(" ");
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const paragraph = (): string =>
    Array.from({ length: 2 + Math.floor(random() * 4) }, () => sentence()).join(" ");
  const link = (): string => {
    const roll = random();
    if (roll < 0.4)
      return `[the ${pick(NOUNS)} guide](../${pick(TOPICS)}/article-${Math.floor(random() * 5000)}.md)`;
    if (roll < 0.7) return `[${pick(NOUNS)} reference](https://docs.example.com/${topic}/${pick(VERBS)})`;
    return `[pricing](https://www.example.com/pricing?utm_source=help&utm_medium=article&ref=${index})`;
  };

  const target = MIN_BYTES + Math.floor(random() * (MAX_BYTES - MIN_BYTES - 900));
  const blocks: string[] = [
    `---\ntitle: "How to ${pick(VERBS)} a ${noun} (${topic} ${index})"\nlabels: [${topic}, help]\n---`,
    `# How to ${pick(VERBS)} a ${noun}`,
    paragraph(),
  ];
  let size = blocks.join("\n\n").length;
  let section = 0;
  const add = (block: string) => {
    blocks.push(block);
    size += block.length + 2;
  };
  while (size < target) {
    section++;
    add(`## ${section}. ${pick(VERBS).replace(/^./, (c) => c.toUpperCase())} the ${pick(NOUNS)}`);
    add(`${paragraph()} See ${link()} for details.`);
    switch (section % 5) {
      case 1:
        add(
          Array.from(
            { length: 3 + Math.floor(random() * 4) },
            (_, step) =>
              `${step + 1}. ${pick(VERBS).replace(/^./, (c) => c.toUpperCase())} **${pick(NOUNS)}** — ${sentence(4, 10)}`,
          ).join("\n"),
        );
        break;
      case 2: {
        const rows = 3 + Math.floor(random() * 5);
        add(
          [
            "| Plan | Available | Limit | Notes |",
            "| ---- | :-------: | ----: | ----- |",
            ...Array.from(
              { length: rows },
              (_, row) =>
                `| ${["Starter", "Pro", "Business", "Enterprise"][row % 4]} | ${random() < 0.7 ? "yes" : "no"} | ${Math.floor(random() * 1000)} | ${sentence(3, 7)} |`,
            ),
          ].join("\n"),
        );
        break;
      }
      case 3: {
        const language = pick(LANGUAGES);
        add(
          `\`\`\`${language}\n${Array.from(
            { length: 3 + Math.floor(random() * 8) },
            (_, line) =>
              `${language === "bash" ? "curl -s" : "const value ="} https://api.example.com/v1/${topic}/${index}/${line} # ${pick(WORDS)}`,
          ).join("\n")}\n\`\`\``,
        );
        break;
      }
      case 4:
        add(`![${noun} screenshot](images/${topic}-${index}-${section}.png "The ${noun} panel")`);
        add(
          Array.from(
            { length: 2 + Math.floor(random() * 4) },
            () => `- ${sentence(5, 12)}${random() < 0.3 ? `\n  - ${sentence(4, 8)}` : ""}`,
          ).join("\n"),
        );
        break;
      default:
        add(`### Good to know\n\n> ${sentence()} ${sentence()}`);
        add(`<div class="callout" style="color: red">${sentence(5, 10)} <span>${pick(NOUNS)}</span></div>`);
    }
  }
  return {
    relativePath: `${topic}/article-${String(index).padStart(6, "0")}.md`,
    markdown: `${blocks.join("\n\n")}\n`,
  };
}

/** Writes articles `0 … count-1` under `root` (one folder per topic) and returns their total bytes. */
export async function writeCorpus(root: string, count: number, seed = 1): Promise<number> {
  let bytes = 0;
  for (const topic of TOPICS) await mkdir(path.join(root, topic), { recursive: true });
  const batch = 200;
  for (let start = 0; start < count; start += batch) {
    const writes: Promise<void>[] = [];
    for (let index = start; index < Math.min(count, start + batch); index++) {
      const article = corpusArticle(index, seed);
      bytes += Buffer.byteLength(article.markdown);
      writes.push(writeFile(path.join(root, article.relativePath), article.markdown));
    }
    await Promise.all(writes);
  }
  return bytes;
}
