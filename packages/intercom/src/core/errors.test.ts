import { describe, expect, it } from "vitest";
import {
  errorForStatus,
  IntercomError,
  IntercomNetworkError,
  IntercomRateLimitError,
  isIntercomError,
  isIntercomNetworkError,
  isIntercomRateLimitError,
  isIntercomResponseValidationError,
  parseErrorBody,
} from "./errors.js";

const keep = (text: string) => text;

describe("parseErrorBody", () => {
  it("reads Intercom's error.list with request id, codes, messages and fields", () => {
    const body = {
      type: "error.list",
      request_id: "000abc",
      errors: [
        { code: "parameter_invalid", message: "Locale must be en", field: "locale" },
        { code: "parameter_not_found" },
        "not an object",
      ],
    };
    expect(parseErrorBody(body, undefined, keep)).toEqual({
      requestId: "000abc",
      errors: [
        { code: "parameter_invalid", message: "Locale must be en", field: "locale" },
        { code: "parameter_not_found" },
      ],
    });
  });

  it("prefers the body's request id and falls back to the headers", () => {
    const headers = new Headers({ "X-Request-Id": "from-header" });
    expect(parseErrorBody({ request_id: "from-body", errors: [] }, headers, keep).requestId).toBe(
      "from-body",
    );
    expect(parseErrorBody("<html>", headers, keep).requestId).toBe("from-header");
    expect(parseErrorBody(undefined, new Headers({ "X-Intercom-Request-Id": "ic" }), keep).requestId).toBe(
      "ic",
    );
  });

  it("keeps a short excerpt of other bodies and a message field", () => {
    const long = `<p>${"x".repeat(500)}</p>`;
    const parsed = parseErrorBody(long, undefined, keep);
    expect(parsed.errors).toEqual([]);
    expect(parsed.detail?.length).toBeLessThanOrEqual(201);
    expect(parseErrorBody({ message: "Upstream timeout" }, undefined, keep).detail).toBe("Upstream timeout");
    expect(parseErrorBody({ error: "Bad gateway" }, undefined, keep).detail).toBe("Bad gateway");
  });

  it("runs every server-supplied string through redact", () => {
    const redact = (text: string) => text.replaceAll("SECRET", "***");
    const parsed = parseErrorBody(
      { request_id: "SECRET-id", errors: [{ code: "SECRET", message: "token SECRET", field: "SECRET" }] },
      undefined,
      redact,
    );
    expect(JSON.stringify(parsed)).not.toContain("SECRET");
    expect(parseErrorBody("echo SECRET", undefined, redact).detail).toBe("echo ***");
  });
});

describe("IntercomError", () => {
  it("builds a message with method, path, status, codes, fields and request id", () => {
    const error = errorForStatus({
      method: "POST",
      path: "/ai/external_pages",
      status: 422,
      requestId: "req_9",
      errors: [
        { code: "parameter_invalid", message: "Html is required", field: "html" },
        { code: "parameter_invalid" },
      ],
    });
    expect(error.message).toBe(
      "Intercom POST /ai/external_pages failed with 422: parameter_invalid: Html is required (field html); parameter_invalid [request id req_9]",
    );
    expect(error.code).toBe("parameter_invalid");
    expect(error.name).toBe("IntercomValidationError");
    expect(error.stack?.startsWith("IntercomValidationError: Intercom POST")).toBe(true);
  });

  it("carries the subclass fields and answers the guards", () => {
    const limited = new IntercomRateLimitError({
      method: "GET",
      path: "/x",
      status: 429,
      resetAt: 1_700_000_000,
    });
    expect(limited.resetAt).toBe(1_700_000_000);
    expect(isIntercomRateLimitError(limited) && isIntercomError(limited)).toBe(true);
    const cause = new Error("ECONNRESET");
    const network = new IntercomNetworkError({
      method: "GET",
      path: "/x",
      timedOut: false,
      detail: "socket hang up",
      cause,
    });
    expect(network).toMatchObject({
      timedOut: false,
      status: undefined,
      cause,
      name: "IntercomNetworkError",
    });
    expect(network.message).toBe("Intercom GET /x failed: socket hang up");
    expect(isIntercomNetworkError(network)).toBe(true);
    expect(isIntercomResponseValidationError(network)).toBe(false);
    expect(isIntercomError(new Error("plain"))).toBe(false);
    expect(errorForStatus({ method: "GET", path: "/x", status: 418 }).constructor).toBe(IntercomError);
  });
});
