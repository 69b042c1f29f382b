import { type PrismServer, startPrism } from "@content-sync/intercom/testing";

/** One violation Prism found, from its `sl-violations` response header. */
export interface ContractViolation {
  location: string[];
  severity: string;
  code: string | number;
  message: string;
}

/**
 * Stoplight Prism in proxy mode in front of a fixture server (the Intercom client's contract test
 * runs the same Prism as a mock): every request is checked against the OpenAPI file (one the spec
 * does not allow is answered 422), forwarded to `upstream`, and the answer is checked too; its
 * violations come back in the `sl-violations` header (read them with `contractViolations`).
 * Hazard: Prism loads large specs slowly (the Graph subset takes minutes); give it small files.
 */
export function startPrismProxy(
  specPath: string,
  upstream: string,
  timeoutMs = 120_000,
): Promise<PrismServer> {
  return startPrism(specPath, { proxyTo: upstream, timeoutMs });
}

/** The violations Prism reported for one proxied answer (none: an empty list). */
export function contractViolations(response: Response): ContractViolation[] {
  const header = response.headers.get("sl-violations");
  return header ? (JSON.parse(header) as ContractViolation[]) : [];
}
