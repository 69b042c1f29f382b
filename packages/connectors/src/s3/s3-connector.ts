import { FileScope } from "../toolkit/files/file-scope.js";
import type { ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type {
  Connector,
  ConnectorDefinition,
  ConnectorInit,
  FetchedDocument,
  ListContext,
  ListedDocument,
  SourceEvent,
} from "../contract.js";
import { ConnectorError, isConnectorError } from "../errors.js";
import { fileUrl } from "../filesystem/url-template.js";
import { readCapped } from "../toolkit/bodies/read-capped.js";
import { readSecretEnv } from "../toolkit/credentials/secret-env.js";
import { connectorHttp } from "../toolkit/http/connector-http-client.js";
import { bodyFromBytes, mediaTypeOfName } from "../toolkit/media-types/media-types.js";
import { awsRequestHandler } from "../toolkit/sdk/aws-request-handler.js";
import { type S3Options, s3OptionsSchema } from "./s3-options.js";

type S3Sdk = typeof import("@aws-sdk/client-s3");

interface S3Session {
  sdk: S3Sdk;
  client: S3Client;
}

interface S3Object {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  lastModified?: Date;
}

/**
 * ETag + size + LastModified: a multipart ETag (`"…-N"`) is no MD5 of the content, so it is only
 * ever compared with itself, never with a hash of downloaded bytes.
 */
export const s3Version = (object: S3Object): string =>
  `${object.etag}:${object.size}:${object.lastModified?.toISOString() ?? ""}`;

export const s3ExternalId = (bucket: string, key: string): string => `${bucket}/${key}`;

class S3Connector implements Connector {
  private readonly scope: FileScope;

  constructor(
    private readonly options: S3Options,
    private readonly init: ConnectorInit,
    private readonly clientConfig: S3ClientConfig,
    private readonly credentialEnv: string,
  ) {
    this.scope = new FileScope(options);
  }

  /**
   * The AWS SDK, imported on first use: it is the largest library of any connector, and a process
   * whose config has no S3 source (or that only checks a config) should not pay for loading it.
   */
  private sdkSession: Promise<S3Session> | undefined;

  private session(): Promise<S3Session> {
    this.sdkSession ??= import("@aws-sdk/client-s3").then((sdk) => ({
      sdk,
      client: new sdk.S3Client(this.clientConfig),
    }));
    return this.sdkSession;
  }

  /** Every key of every bucket/prefix; any bucket failing throws (no truncated listing, no deletions). */
  async *listAll(ctx: ListContext): AsyncIterable<SourceEvent> {
    const seen = new Set<string>();
    for (const { bucket, prefixes } of this.options.buckets) {
      for (const prefix of prefixes) {
        let token: string | undefined;
        do {
          const page: ListObjectsV2CommandOutput = await this.call(bucket, ({ sdk, client }) =>
            client.send(
              new sdk.ListObjectsV2Command({
                Bucket: bucket,
                MaxKeys: this.options.pageSize,
                ...(prefix ? { Prefix: prefix } : {}),
                ...(token ? { ContinuationToken: token } : {}),
              }),
              { abortSignal: ctx.signal },
            ),
          );
          for (const item of page.Contents ?? []) {
            if (!item.Key || item.Key.endsWith("/")) continue;
            const id = s3ExternalId(bucket, item.Key);
            if (seen.has(id)) continue;
            seen.add(id);
            const event = this.event(
              {
                bucket,
                key: item.Key,
                etag: item.ETag ?? "",
                size: item.Size ?? 0,
                ...(item.LastModified ? { lastModified: item.LastModified } : {}),
              },
              ctx,
            );
            if (event) yield event;
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      }
    }
  }

  /** HEAD-free: one GetObject per id would download; a listing of the key as prefix is enough. */
  async *fetchByIds(ids: readonly string[], ctx: ListContext): AsyncIterable<SourceEvent> {
    for (const id of ids) {
      const scope = this.options.buckets.find((entry) => id.startsWith(`${entry.bucket}/`));
      const key = scope ? id.slice(scope.bucket.length + 1) : "";
      const inPrefix = scope?.prefixes.some((prefix) => key.startsWith(prefix)) ?? false;
      let event: SourceEvent | undefined;
      if (scope && inPrefix) {
        const page = await this.call(scope.bucket, ({ sdk, client }) =>
          client.send(new sdk.ListObjectsV2Command({ Bucket: scope.bucket, Prefix: key, MaxKeys: 1 }), {
            abortSignal: ctx.signal,
          }),
        );
        const item = page.Contents?.[0];
        if (item?.Key === key)
          event = this.event(
            {
              bucket: scope.bucket,
              key,
              etag: item.ETag ?? "",
              size: item.Size ?? 0,
              ...(item.LastModified ? { lastModified: item.LastModified } : {}),
            },
            ctx,
          );
      }
      yield event ?? {
        kind: "missing",
        externalId: id,
        reason: "no such key in the configured buckets and prefixes",
      };
    }
  }

  async close(): Promise<void> {
    // Nothing to release when no request was ever made (the SDK was not loaded).
    if (this.sdkSession !== undefined) (await this.sdkSession).client.destroy();
  }

  /** SDK errors of a whole bucket become a ConnectorError for the run, naming the credential's env var. */
  private async call<T>(bucket: string, run: (session: S3Session) => Promise<T>): Promise<T> {
    const session = await this.session();
    try {
      return await run(session);
    } catch (error) {
      if (isConnectorError(error)) throw error;
      const status =
        error instanceof session.sdk.S3ServiceException ? error.$metadata.httpStatusCode : undefined;
      const name = error instanceof Error ? error.name : "Error";
      const where = `source "${this.init.sourceId}": bucket ${bucket}`;
      if (status === 401 || status === 403)
        throw new ConnectorError(
          "auth",
          `${where} refused access with ${status} ${name} (credentials from env vars ${this.options.accessKeyIdEnv} and ${this.options.secretAccessKeyEnv})`,
          {
            sourceId: this.init.sourceId,
            status,
            credentialEnv: this.credentialEnv,
          },
        );
      if (status === 404)
        throw new ConnectorError("config", `${where} does not exist (404 ${name})`, {
          sourceId: this.init.sourceId,
          status,
        });
      throw new ConnectorError("unavailable", `${where}: ${name}${status ? ` (${status})` : ""}`, {
        sourceId: this.init.sourceId,
        ...(status ? { status } : {}),
        cause: error,
      });
    }
  }

  private event(object: S3Object, ctx: ListContext): SourceEvent | undefined {
    const path = s3ExternalId(object.bucket, object.key);
    if (!this.scope.includesPath(object.key)) return undefined;
    const name = object.key.split("/").at(-1) ?? object.key;
    const mediaType = mediaTypeOfName(name);
    if (!this.scope.includesMediaType(mediaType)) {
      ctx.logger.debug({ key: path }, "s3: media type not synced");
      return undefined;
    }
    return (
      this.scope.oversize(path, object.size, path) ?? {
        kind: "document",
        document: this.listed(object, mediaType),
      }
    );
  }

  private listed(object: S3Object, mediaType: string): ListedDocument {
    const externalId = s3ExternalId(object.bucket, object.key);
    const name = object.key.split("/").at(-1) ?? object.key;
    const version = s3Version(object);
    const metadata = { path: object.key, space: object.bucket, type: mediaType };
    return {
      externalId,
      version,
      ...(object.lastModified ? { updatedAt: object.lastModified } : {}),
      metadata,
      load: async (signal?: AbortSignal): Promise<FetchedDocument> => {
        const output = await this.call(object.bucket, ({ sdk, client }) =>
          client.send(
            new sdk.GetObjectCommand({ Bucket: object.bucket, Key: object.key }),
            signal ? { abortSignal: signal } : {},
          ),
        );
        const stream = output.Body?.transformToWebStream();
        const response = new Response(stream ?? null, {
          headers:
            output.ContentLength === undefined ? {} : { "content-length": String(output.ContentLength) },
        });
        const data = await readCapped(response, this.options.maxFileSize, externalId);
        const body = bodyFromBytes(data, { fileName: name, declaredMediaType: mediaType });
        if (!body) throw new Error(`${externalId}: ${mediaType} cannot be converted`);
        return {
          externalId,
          version,
          title: name.replace(/\.[^.]+$/, ""),
          ...(this.options.urlTemplate ? { url: fileUrl(this.options.urlTemplate, externalId) } : {}),
          ...(object.lastModified ? { updatedAt: object.lastModified } : {}),
          metadata,
          body,
        };
      },
    };
  }
}

/** The `s3` connector type. */
export const s3Connector: ConnectorDefinition<S3Options> = {
  type: "s3",
  // S3 documents 5,500 GET/HEAD requests per second per prefix; a listing sync needs far less.
  defaultRate: { perSecond: 100 },
  optionsSchema: s3OptionsSchema,
  create(options: S3Options, init: ConnectorInit): Connector {
    const secret = (name: string, option: string) =>
      readSecretEnv(init.env, name, { sourceId: init.sourceId, option });
    const accessKeyId = secret(options.accessKeyIdEnv, "accessKeyIdEnv");
    const secretAccessKey = secret(options.secretAccessKeyEnv, "secretAccessKeyEnv");
    const sessionToken = options.sessionTokenEnv
      ? secret(options.sessionTokenEnv, "sessionTokenEnv")
      : undefined;
    const logger = init.logger.child({ connector: "s3" });
    const endpoint = options.endpoint ?? `https://s3.${options.region}.amazonaws.com`;
    const http = connectorHttp(init, {
      baseUrl: endpoint,
      logger,
      // Not a credential provider (the SDK signs): only the secrets to scrub from logs and errors.
      credentials: {
        credentialEnv: options.secretAccessKeyEnv,
        headers: async () => ({}),
        secrets: () => [secretAccessKey, ...(sessionToken ? [sessionToken] : [])],
      },
    });
    const clientConfig: S3ClientConfig = {
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      requestHandler: awsRequestHandler(http),
      // The toolkit retries (one policy, Retry-After); the SDK must not retry on top.
      maxAttempts: 1,
    };
    return new S3Connector(options, init, clientConfig, options.secretAccessKeyEnv);
  },
};
