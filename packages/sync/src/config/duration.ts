/** Durations in the config are written as `<integer><unit>` with unit ms, s, m, h or d, e.g. `15m`. */
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration such as `90s` or `6h`; throws on anything else. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  const unitMs = match?.[2] === undefined ? undefined : UNIT_MS[match[2]];
  if (!match || unitMs === undefined) {
    throw new Error(`invalid duration "${text}": expected a number and a unit (ms, s, m, h, d), e.g. "15m"`);
  }
  return Number(match[1]) * unitMs;
}
