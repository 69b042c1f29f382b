import type {
  Connector,
  FetchedDocument,
  ListContext,
  ListedDocument,
  SourceEvent,
} from "@content-sync/connectors";

/**
 * A bench-only connector (never in the product's registry): a source of `count` documents that exist
 * only as a function of their index, so a listing of a million documents costs the connector no
 * memory and measures the engine alone. Bodies are short help articles in Markdown (≈ 600 bytes),
 * deterministic per index; `revision` goes into the version and the body, so a second run with the
 * same revision is a no-change run and another revision rewrites every page.
 */
export class SyntheticConnector implements Connector {
  constructor(
    private readonly count: number,
    private readonly revision = 1,
  ) {}

  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    for (let index = 0; index < this.count; index++) {
      if (ctx.signal.aborted) return;
      yield { kind: "document", document: this.listed(index) };
    }
  }

  async *fetchByIds(ids: readonly string[]): AsyncIterable<SourceEvent> {
    for (const externalId of ids) {
      const index = Number(/^doc-(\d+)$/.exec(externalId)?.[1] ?? Number.NaN);
      if (Number.isInteger(index) && index < this.count)
        yield { kind: "document", document: this.listed(index) };
      else yield { kind: "deleted", externalId };
    }
  }

  private listed(index: number): ListedDocument {
    const externalId = `doc-${index}`;
    const version = `r${this.revision}`;
    return {
      externalId,
      version,
      metadata: { path: `section-${index % 50}/${externalId}.md` },
      load: async (): Promise<FetchedDocument> => ({
        externalId,
        version,
        title: `Article ${index}`,
        url: `https://help.example.com/articles/${index}`,
        metadata: {},
        body: { kind: "markdown", markdown: syntheticArticle(index, this.revision) },
      }),
    };
  }
}

function syntheticArticle(index: number, revision: number): string {
  const topic = ["billing", "accounts", "integrations", "security", "reports"][index % 5];
  return `# How to handle ${topic} case ${index}

Revision ${revision}. This article explains step ${index % 97} of the ${topic} workflow and who to ask.

1. Open **Settings → ${topic}**.
2. Select item ${index} and click **Save**.

| Plan | Limit |
| ---- | ----: |
| Starter | ${index % 100} |

See [the ${topic} overview](https://help.example.com/${topic}/overview?utm_source=help).
`;
}
