import { RETRY_AFTER, waitFromHeaders, withRetries } from "@content-sync/intercom/retry";
import { ConnectorError } from "../errors.js";
import type { ToolkitHttpClient } from "../toolkit/http/toolkit-http-client.js";

/** An Action API answer with `format=json&formatversion=2`. */
export interface MediawikiAnswer {
  error?: { code?: string; info?: string };
  continue?: Record<string, string>;
  batchcomplete?: boolean;
  query?: Record<string, unknown>;
  [key: string]: unknown;
}

type Params = Record<string, string | number | undefined>;

/** Thrown inside the retry loop for a `maxlag` answer, which MediaWiki sends with Retry-After. */
class LaggedError extends Error {
  constructor(readonly waitMs: number | undefined) {
    super("wiki replication lag above maxlag");
  }
}

/**
 * The Action API (`api.php`) through the toolkit client. MediaWiki reports errors in the JSON body
 * with HTTP 200, so this reads `error.code`: `maxlag` is retried with the shared retry policy after
 * its Retry-After (the toolkit only sees the status), `readapidenied` is an auth error naming the env
 * var of the bot password.
 */
export class MediawikiApi {
  constructor(
    private readonly http: ToolkitHttpClient,
    private readonly where: {
      sourceId: string;
      endpoint: string;
      maxlag: number;
      credentialEnv?: string;
      /** Logged in: `assert=user` makes an expired session answer `assertuserfailed` instead of anonymous data. */
      assertUser?: boolean;
    },
  ) {}

  /** One request to the absolute `api.php` URL (the client's base URL would gain a slash); `maxlag` on every call. */
  async call(params: Params, signal: AbortSignal): Promise<MediawikiAnswer> {
    const query = {
      format: "json",
      formatversion: "2",
      maxlag: this.where.maxlag,
      ...(this.where.assertUser ? { assert: "user" } : {}),
      ...params,
    };
    return withRetries(
      async () => {
        const response = await this.http.json<MediawikiAnswer>(this.where.endpoint, { query, signal });
        const answer = response.data ?? {};
        const code = answer.error?.code;
        if (code === "maxlag") throw new LaggedError(waitFromHeaders(response.headers, RETRY_AFTER));
        if (code === "readapidenied" || code === "assertuserfailed" || code === "permissiondenied") {
          const env = this.where.credentialEnv;
          throw new ConnectorError(
            "auth",
            `source "${this.where.sourceId}": the wiki refused to be read (${code})${
              env
                ? `; check the bot password in env var ${env}`
                : "; configure options.login with a bot password"
            }`,
            { sourceId: this.where.sourceId, ...(env ? { credentialEnv: env } : {}) },
          );
        }
        if (code !== undefined) {
          throw new ConnectorError(
            "bad_response",
            `source "${this.where.sourceId}": MediaWiki error ${code}: ${answer.error?.info ?? ""}`,
            { sourceId: this.where.sourceId },
          );
        }
        return answer;
      },
      {
        maxRetries: 4,
        signal,
        classify: (error) =>
          error instanceof LaggedError
            ? { retryable: true, ...(error.waitMs === undefined ? {} : { waitMs: error.waitMs }) }
            : { retryable: false },
      },
    ).catch((error: unknown) => {
      if (error instanceof LaggedError) {
        throw new ConnectorError(
          "unavailable",
          `source "${this.where.sourceId}": the wiki stayed above maxlag=${this.where.maxlag} after retries`,
          { sourceId: this.where.sourceId },
        );
      }
      throw error;
    });
  }

  /** Every batch of a query, following `continue` exactly as the API hands it back. */
  async *paged(params: Params, signal: AbortSignal): AsyncGenerator<MediawikiAnswer> {
    let next: Record<string, string> | undefined = { continue: "" };
    while (next) {
      const answer = await this.call({ action: "query", ...params, ...next }, signal);
      yield answer;
      next = answer.continue;
    }
  }
}
