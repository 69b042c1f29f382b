import { receiveWebhook, type ServiceContext } from "@content-sync/sync";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AdminNotices } from "./admin-notices.js";

export interface WebhookRouteOptions {
  context: ServiceContext;
  /** Largest webhook body accepted, bytes; larger ones are answered 413 before any processing. */
  maxBodyBytes: number;
  /** Quiet period ending a burst of events for one document, ms. Default 1 000. */
  coalesceWindowMs?: number;
  /** Where handshakes' admin-only notices (Notion's verification token) are held for the status page. */
  notices?: AdminNotices;
  now?: () => Date;
}

/**
 * `POST /webhooks/:sourceId`. Every body is kept as raw bytes (signatures are computed over the exact
 * bytes sent), so this plugin replaces Fastify's parsers in its own scope only.
 */
export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    "*",
    { parseAs: "buffer", bodyLimit: options.maxBodyBytes },
    (_request, body, done) => {
      done(null, body);
    },
  );
  const handle = async (request: FastifyRequest<{ Params: { sourceId: string } }>, body: unknown) => {
    const answer = await intake(request, body);
    if (answer.adminNotice) options.notices?.record(request.params.sourceId, answer.adminNotice);
    return answer;
  };
  const intake = async (request: FastifyRequest<{ Params: { sourceId: string } }>, body: unknown) => {
    const { headers, query } = request;
    const lowerCased: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(headers)) {
      lowerCased[name.toLowerCase()] = Array.isArray(value)
        ? value.join(", ")
        : (value as string | undefined);
    }
    return receiveWebhook(
      {
        queue: options.context.queue,
        redis: options.context.connection,
        keyspace: options.context.keyspace,
        coalesceWindowMs: options.coalesceWindowMs,
        sources: () => options.context.sources(),
        connectorFor: (source) => options.context.connectors.get(source),
        env: options.context.env,
        onVerified: async (sourceId) => {
          if (options.context.sources().get(sourceId)?.push)
            await options.context.push?.noteNotification(sourceId);
        },
        now: options.now,
        logger: options.context.logger.child({ module: "webhooks" }),
      },
      request.params.sourceId,
      {
        headers: lowerCased,
        rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
        query: (query ?? {}) as Record<string, string | undefined>,
        method: request.method,
        // As received (path and query string), because some schemes sign the request line.
        path: request.url,
      },
    );
  };
  const route = { bodyLimit: options.maxBodyBytes };
  app.post<{ Params: { sourceId: string } }>("/webhooks/:sourceId", route, async (request, reply) => {
    const answer = await handle(request, request.body);
    return reply.code(answer.status).type(answer.contentType).send(answer.body);
  });
  // Handshakes of some products (validation tokens) arrive as GET.
  app.get<{ Params: { sourceId: string } }>("/webhooks/:sourceId", async (request, reply) => {
    const answer = await handle(request, undefined);
    return reply
      .code(answer.status === 202 ? 405 : answer.status)
      .type(answer.contentType)
      .send(answer.body);
  });
}
