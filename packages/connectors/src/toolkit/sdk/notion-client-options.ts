import type { Logger } from "pino";
import type { ToolkitHttpClient } from "../http/toolkit-http-client.js";

/**
 * Options for `new Client(...)` of `@notionhq/client`: its requests go through the toolkit's fetch
 * (budget, shared retry policy, credentials, proxy/CA, redaction), its own retries are off so no
 * request is retried twice over, and its log lines go to the connector's logger, not the console.
 * Give the client no `auth`: the toolkit's credential provider adds the header, so the token is one
 * the redaction knows.
 *
 * ```ts
 * const http = connectorHttp(init, { baseUrl: "https://api.notion.com", credentials: bearerToken(token, "NOTION_TOKEN") });
 * const notion = new Client(notionClientOptions(http, init.logger));
 * ```
 */
export function notionClientOptions(http: ToolkitHttpClient, logger?: Logger) {
  return {
    fetch: http.fetch,
    retry: false as const,
    logger: (level: string, message: string, extraInfo: Record<string, unknown>) => {
      const text = http.redact(message);
      if (level === "error") logger?.error({ sdk: "notion", ...extraInfo }, text);
      else logger?.debug({ sdk: "notion", level, ...extraInfo }, text);
    },
  };
}
