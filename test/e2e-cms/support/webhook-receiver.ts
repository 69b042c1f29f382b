import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Connector, WebhookEvents, WebhookRequest } from "@content-sync/connectors";
import { isWebhookPayloadError, isWebhookVerificationError } from "@content-sync/connectors";
import type { RunSummary } from "@content-sync/sync";

/** What the receiver did with one request. */
export interface ReceivedWebhook {
  status: number;
  /** Set once the request was verified and parsed. */
  events?: WebhookEvents;
  /** The targeted reindex the events led to (only when they named documents). */
  summary?: RunSummary;
  /** Why the request was refused, or why the reindex failed. */
  error?: string;
}

export interface WebhookReceiverOptions {
  connector: Connector;
  /** The source's webhook secret, as the service resolves it from `webhook.secretEnv`. */
  secret: string | undefined;
  /**
   * Runs the engine's targeted reindex for the ids the webhook named (changed and deleted alike);
   * `deleted` are the ids the verified webhook reported deleted (the product's confirmation).
   */
  reindex(externalIds: readonly string[], deleted: readonly string[]): Promise<RunSummary>;
}

/**
 * A minimal stand-in for the service's webhook route, over real HTTP: raw body first, then
 * `connector.webhook.verify` (401 on failure) and `parse` (400), answered 202 before the reindex
 * runs, like the scheduler does. Every request's outcome is recorded for the test to await.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | undefined;
  private pending: Promise<void>[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly options: WebhookReceiverOptions) {}

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const done = this.handle(request, (status, body) => {
        response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      });
      this.pending.push(done);
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/source`;
  }

  /** Resolves once `count` requests have been handled completely (reindex included). */
  async handled(count: number): Promise<ReceivedWebhook[]> {
    if (this.received.length < count) {
      await new Promise<void>((resolve) => this.waiters.push({ count, resolve }));
    }
    await Promise.all(this.pending);
    return this.received.slice(0, count);
  }

  async close(): Promise<void> {
    await Promise.all(this.pending);
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(
    request: IncomingMessage,
    answer: (status: number, body: unknown) => void,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const webhook: WebhookRequest = {
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [
          name.toLowerCase(),
          Array.isArray(value) ? value.join(", ") : value,
        ]),
      ),
      rawBody: Buffer.concat(chunks),
      query: {},
      secret: this.options.secret,
      now: new Date(),
      method: request.method ?? "POST",
      path: request.url ?? "/",
    };
    const handler = this.options.connector.webhook;
    const outcome: ReceivedWebhook = { status: 202 };
    try {
      if (!handler) throw new Error("the connector has no webhook support");
      handler.verify(webhook);
      outcome.events = handler.parse(webhook);
    } catch (error) {
      outcome.status = isWebhookVerificationError(error) ? 401 : isWebhookPayloadError(error) ? 400 : 500;
      outcome.error = (error as Error).message;
    }
    answer(outcome.status, outcome.error === undefined ? { accepted: true } : { error: outcome.error });
    if (outcome.events) {
      const ids = [...outcome.events.changed, ...outcome.events.deleted];
      if (ids.length > 0) {
        try {
          outcome.summary = await this.options.reindex(ids, outcome.events.deleted);
        } catch (error) {
          outcome.error = (error as Error).message;
        }
      }
    }
    this.received.push(outcome);
    for (const waiter of [...this.waiters]) {
      if (this.received.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
