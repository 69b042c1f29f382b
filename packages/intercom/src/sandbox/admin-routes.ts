import type { IncomingMessage, ServerResponse } from "node:http";
import { isSandboxApiError, isSandboxOptionsError } from "./errors.js";
import type { ResolvedFaults } from "./faults.js";
import { readJsonObject, sendErrorList, sendJson, sendNoContent } from "./http-io.js";
import type { FaultOptions, SandboxStats } from "./types.js";

/** What the admin routes can do to a running sandbox. */
export interface SandboxControl {
  stats(): SandboxStats;
  resetStats(): void;
  faults(): ResolvedFaults;
  setFaults(faults: FaultOptions): void;
  reset(): void;
}

export const ADMIN_PREFIX = "/__sandbox/";

/**
 * The sandbox's own routes under `/__sandbox/` (no auth, no rate limit, no faults, not counted):
 * - `GET /__sandbox/stats`, `POST /__sandbox/stats/reset`: call counters;
 * - `GET /__sandbox/faults`, `POST /__sandbox/faults` (body: FaultOptions, replaces the config);
 * - `POST /__sandbox/reset`: deletes all data.
 * Anyone who reaches the port can use them: this is why the sandbox binds to 127.0.0.1 by default.
 */
export async function handleAdminRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  requestId: string,
  control: SandboxControl,
  maxBodyBytes: number,
): Promise<void> {
  const route = `${req.method ?? ""} ${path}`;
  try {
    switch (route) {
      case "GET /__sandbox/stats":
        return sendJson(res, 200, control.stats());
      case "POST /__sandbox/stats/reset":
        control.resetStats();
        return sendNoContent(res);
      case "GET /__sandbox/faults":
        return sendJson(res, 200, control.faults());
      case "POST /__sandbox/faults": {
        const body = (await readJsonObject(req, maxBodyBytes)) ?? {};
        control.setFaults(body as FaultOptions);
        return sendJson(res, 200, control.faults());
      }
      case "POST /__sandbox/reset":
        control.reset();
        return sendNoContent(res);
      default:
        return sendErrorList(res, 404, requestId, [
          { code: "not_found", message: `No sandbox route ${route}` },
        ]);
    }
  } catch (error) {
    if (isSandboxOptionsError(error)) {
      return sendErrorList(res, 400, requestId, [
        { code: "parameter_invalid", message: error.message, field: error.option.replace(/^faults\./, "") },
      ]);
    }
    if (isSandboxApiError(error)) return sendErrorList(res, error.status, requestId, error.errors);
    throw error;
  }
}
