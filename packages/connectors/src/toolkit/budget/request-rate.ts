import { z } from "zod";

/**
 * A per-source request rate: `perSecond` or `perMinute`, with an optional `burst` (requests that may
 * go out back to back after a quiet spell). Default burst: one second's worth (at least 1).
 */
export type RequestRate = { perSecond: number; burst?: number } | { perMinute: number; burst?: number };

const positive = z.number().positive();
const burst = z
  .number()
  .int()
  .min(1)
  .optional()
  .describe("Requests allowed back to back. Default: one second's worth.");

/** The config shape of a RequestRate (`requestBudget: { perSecond: 3 }`). */
export const requestRateSchema: z.ZodType<RequestRate> = z.union([
  z.strictObject({ perSecond: positive.describe("Requests per second for this source."), burst }),
  z.strictObject({ perMinute: positive.describe("Requests per minute for this source."), burst }),
]);
