import type { DocumentMetadata } from "@content-sync/connectors/core";
import picomatch from "picomatch";
import type { Availability, RuleMatcher, RulesConfig } from "../config/types.js";

/** What the rules decide for one document. */
export type RuleDecision =
  | { included: false; reason: string }
  | { included: true; availability: Availability };

type MetadataTest = (metadata: DocumentMetadata) => boolean;

/**
 * Compiled include/exclude/availability rules of a source. Compiling once keeps glob matching cheap
 * on large sources.
 */
export class DocumentRules {
  private readonly include: MetadataTest[] | undefined;
  private readonly exclude: MetadataTest[];
  private readonly availability: { test: MetadataTest; aiAgent?: boolean; aiCopilot?: boolean }[];
  private readonly allowSecrets: MetadataTest[];

  constructor(
    rules: RulesConfig,
    private readonly defaultAvailability: Availability,
  ) {
    this.include = rules.include?.map(compileMatcher);
    this.exclude = (rules.exclude ?? []).map(compileMatcher);
    this.availability = (rules.availability ?? []).map((rule) => ({
      ...rule,
      test: compileMatcher(rule.match),
    }));
    this.allowSecrets = (rules.allowSecrets ?? []).map(compileMatcher);
  }

  /** True when a rule lets this document through although it holds a credential. */
  allowsSecrets(metadata: DocumentMetadata): boolean {
    return this.allowSecrets.some((test) => test(metadata));
  }

  decide(metadata: DocumentMetadata): RuleDecision {
    if (this.include && !this.include.some((test) => test(metadata))) {
      return { included: false, reason: "matches no include rule" };
    }
    const excludedBy = this.exclude.findIndex((test) => test(metadata));
    if (excludedBy >= 0) return { included: false, reason: `matches exclude rule #${excludedBy + 1}` };
    const availability = { ...this.defaultAvailability };
    for (const rule of this.availability) {
      if (!rule.test(metadata)) continue;
      if (rule.aiAgent !== undefined) availability.aiAgent = rule.aiAgent;
      if (rule.aiCopilot !== undefined) availability.aiCopilot = rule.aiCopilot;
    }
    return { included: true, availability };
  }
}

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === "string" ? [value] : value;

function compileMatcher(matcher: RuleMatcher): MetadataTest {
  const tests: MetadataTest[] = [];
  if (matcher.path !== undefined) {
    const isMatch = picomatch(asList(matcher.path) as string[], { dot: true });
    tests.push((metadata) => metadata.path !== undefined && isMatch(metadata.path));
  }
  if (matcher.labels !== undefined) {
    const wanted = new Set(asList(matcher.labels));
    tests.push((metadata) => asList(metadata.labels).some((label) => wanted.has(label)));
  }
  for (const key of ["space", "status", "type"] as const) {
    const expected = matcher[key];
    if (expected !== undefined) tests.push(valueTest(key, expected));
  }
  for (const [key, expected] of Object.entries(matcher.metadata ?? {})) tests.push(valueTest(key, expected));
  return (metadata) => tests.every((test) => test(metadata));
}

/** Scalar metadata must equal one of the expected values; list metadata must contain one of them. */
function valueTest(key: string, expected: string | string[]): MetadataTest {
  const wanted = new Set(asList(expected));
  return (metadata) => asList(metadata[key]).some((value) => wanted.has(value));
}
