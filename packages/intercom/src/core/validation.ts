import type { Logger } from "pino";
import type { z } from "zod";
import {
  type IntercomErrorDetail,
  IntercomResponseValidationError,
  IntercomValidationError,
} from "./errors.js";
import type { ValidationMode } from "./types.js";

/** Most issues kept in an error or a log line; a wholly wrong body would otherwise produce hundreds. */
const MAX_ISSUES = 20;

/** Zod issues as error details: the issue code, its message, and the dotted path as `field`. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[]): IntercomErrorDetail[] {
  return issues.slice(0, MAX_ISSUES).map((issue) => {
    const detail: IntercomErrorDetail = { code: issue.code, message: issue.message };
    if (issue.path.length > 0) detail.field = issue.path.map((key) => String(key)).join(".");
    return detail;
  });
}

interface CallContext {
  method: string;
  path: string;
}

/** Checks an outgoing payload; a failure throws IntercomValidationError and nothing is sent. */
export function assertValidRequest(schema: z.ZodType, payload: unknown, context: CallContext): void {
  const result = schema.safeParse(payload);
  if (result.success) return;
  throw new IntercomValidationError({
    method: context.method,
    path: context.path,
    errors: issuesToDetails(result.error.issues),
    detail: "request rejected before sending",
  });
}

export interface ResponseCheckContext extends CallContext {
  status: number;
  requestId: string | undefined;
  logger: Logger;
}

/**
 * Checks a parsed response body according to the mode: `strict` throws
 * IntercomResponseValidationError, `warn` logs the issues, `off` does nothing. The body is never
 * rewritten: callers get what Intercom sent, including fields the spec does not know yet.
 */
export function checkResponse(
  schema: z.ZodType,
  body: unknown,
  mode: ValidationMode,
  context: ResponseCheckContext,
): void {
  if (mode === "off") return;
  const result = schema.safeParse(body);
  if (result.success) return;
  const errors = issuesToDetails(result.error.issues);
  if (mode === "strict") {
    throw new IntercomResponseValidationError({
      method: context.method,
      path: context.path,
      status: context.status,
      requestId: context.requestId,
      errors,
      detail: "response does not match the API 2.12 schema",
    });
  }
  context.logger.warn(
    {
      method: context.method,
      path: context.path,
      status: context.status,
      requestId: context.requestId,
      issues: errors,
      issueCount: result.error.issues.length,
    },
    "Intercom response does not match the API 2.12 schema",
  );
}
