import type { ConnectorInit } from "../../contract.js";
import { ToolkitHttpClient, type ToolkitHttpOptions } from "./toolkit-http-client.js";

/**
 * The HTTP client of one connector instance: the source's id, logger, request budget and network
 * (`init.network.caFile`, proxies from `init.env`) come from its ConnectorInit; the rest (base URL,
 * credentials, product wait headers) from the connector.
 */
export function connectorHttp(
  init: ConnectorInit,
  options: Omit<ToolkitHttpOptions, "sourceId" | "logger" | "budget" | "network"> & {
    logger?: ToolkitHttpOptions["logger"];
  },
): ToolkitHttpClient {
  return new ToolkitHttpClient({
    sourceId: init.sourceId,
    logger: init.logger,
    ...(init.budget ? { budget: init.budget } : {}),
    network: { env: init.env, ...(init.network?.caFile ? { caFile: init.network.caFile } : {}) },
    ...options,
  });
}
