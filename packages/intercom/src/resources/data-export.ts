import type { RequestOptions } from "../core/index.js";
import * as S from "../generated/schemas.js";
import type * as T from "../generated/types.js";
import { Resource } from "./resource.js";

/** Exports of message content data: start a job, poll it, cancel it, download its result. */
export class DataExportResource extends Resource {
  /** Starts an export job. Not retried on 5xx: a second attempt could start a second job. */
  create(body: T.CreateDataExportsRequest, options?: RequestOptions): Promise<T.DataExport> {
    return this.call(
      "createDataExport",
      [],
      { body, requestSchema: S.CreateDataExportsRequestSchema, responseSchema: S.DataExportSchema },
      options,
    );
  }

  get(jobIdentifier: string, options?: RequestOptions): Promise<T.DataExport> {
    return this.call("getDataExport", [jobIdentifier], { responseSchema: S.DataExportSchema }, options);
  }

  /** Cancels the job (cancelling twice leaves it cancelled, so retried on 5xx). */
  cancel(jobIdentifier: string, options?: RequestOptions): Promise<T.DataExport> {
    return this.call("cancelDataExport", [jobIdentifier], { responseSchema: S.DataExportSchema }, options);
  }

  /**
   * The finished export as raw bytes (a gzipped CSV archive). Intercom requires
   * `Accept: application/octet-stream` on this endpoint.
   */
  async download(jobIdentifier: string, options?: RequestOptions): Promise<Uint8Array> {
    const body = await this.call<Uint8Array | undefined>(
      "downloadDataExport",
      [jobIdentifier],
      { responseType: "bytes", accept: "application/octet-stream" },
      options,
    );
    return body ?? new Uint8Array();
  }
}
