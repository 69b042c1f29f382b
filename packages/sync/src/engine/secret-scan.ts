/** A credential found in a document: its kind and where, never its value. */
export interface SecretFinding {
  kind: string;
  /** 1-based line of the text the scan read (the HTML sent to Intercom). */
  line: number;
}

interface SecretPattern {
  kind: string;
  pattern: RegExp;
}

// Formats with a fixed, documented shape: prefixes and lengths that ordinary prose does not produce,
// so a hit is a credential, not a guess. Generic "password = …" heuristics would hold back every
// how-to page that explains a login, so they are deliberately absent.
const PATTERNS: readonly SecretPattern[] = [
  {
    kind: "private key",
    pattern: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/,
  },
  { kind: "AWS access key id", pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: "GitHub token", pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/ },
  { kind: "GitLab token", pattern: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { kind: "Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  {
    kind: "Slack webhook URL",
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/,
  },
  { kind: "Stripe secret key", pattern: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/ },
  { kind: "Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { kind: "OpenAI API key", pattern: /\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/ },
  { kind: "npm token", pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: "JSON Web Token", pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/ },
];

/**
 * Finds credentials in a well-known format (private keys, cloud and SaaS tokens). The engine holds such
 * a document back unless a rule allows it, and reports the kind and line only: the value never reaches
 * a log, a status page or Intercom.
 */
export function findSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const { kind, pattern } of PATTERNS) {
    const match = pattern.exec(text);
    if (!match) continue;
    findings.push({ kind, line: lineOf(text, match.index) });
  }
  return findings.sort((a, b) => a.line - b.line);
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < index; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

/** One line for people: "holds a private key (line 12) and a GitHub token (line 40)". */
export function describeSecrets(findings: readonly SecretFinding[]): string {
  return findings.map((finding) => `a ${finding.kind} (line ${finding.line})`).join(", ");
}
