import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { rootCertificates } from "node:tls";
import type { Dispatcher } from "undici";

type Undici = typeof import("undici");
let undici: Undici | undefined;
/**
 * undici (about a hundred modules) is required on the first dispatcher, not imported with the
 * client: most processes send through plain node:http(s) and never need it (`needsNetworkAgent`).
 * It is CommonJS, so `require` keeps `networkDispatcher` and `networkFetch` synchronous.
 */
function loadUndici(): Undici {
  undici ??= createRequire(import.meta.url)("undici") as Undici;
  return undici;
}

/**
 * How outbound HTTP leaves the process on a company network. Node 20's global fetch ignores proxy
 * variables, and a `ca` given to a TLS connection replaces Node's trust store instead of adding to
 * it, so both are handled here once, for the Intercom client and for every connector.
 */
export interface NetworkOptions {
  /**
   * PEM file of extra certificate authorities to trust (a private CA of an on-premises server), on
   * top of Node's bundled roots and `NODE_EXTRA_CA_CERTS`. Default none.
   */
  caFile?: string;
  /**
   * Where `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` (or their lower-case forms) and
   * `NODE_EXTRA_CA_CERTS` are read from. Default `process.env`. Injected so tests and per-source
   * settings need not touch the process environment.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Thrown when a CA file named in config or `NODE_EXTRA_CA_CERTS` cannot be read. */
export class NetworkConfigError extends Error {
  override readonly name = "NetworkConfigError";
}

const dispatchers = new Map<string, Dispatcher>();

function readCa(file: string, origin: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new NetworkConfigError(
      `cannot read the CA certificates of ${origin} (${file}): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * True when these options need undici's dispatcher: a proxy in the environment or an extra CA file.
 * Without them, plain node:http(s) (which honours NODE_EXTRA_CA_CERTS itself) is the cheaper path.
 */
export function needsNetworkAgent(options: NetworkOptions = {}): boolean {
  const env = options.env ?? process.env;
  const pick = (upper: string) => env[upper] ?? env[upper.toLowerCase()] ?? "";
  return pick("HTTP_PROXY") !== "" || pick("HTTPS_PROXY") !== "" || (options.caFile ?? "") !== "";
}

/**
 * The dispatcher for these options: proxies from the environment (`NO_PROXY` honoured), and Node's
 * roots plus the extra CAs. Dispatchers are shared per distinct setting, so connection pools are
 * reused across clients and sources instead of one pool per request.
 */
export function networkDispatcher(options: NetworkOptions = {}): Dispatcher {
  const env = options.env ?? process.env;
  const pick = (upper: string) => env[upper] ?? env[upper.toLowerCase()] ?? "";
  const settings = {
    httpProxy: pick("HTTP_PROXY"),
    httpsProxy: pick("HTTPS_PROXY"),
    noProxy: pick("NO_PROXY"),
    extraCaFile: env.NODE_EXTRA_CA_CERTS ?? "",
    caFile: options.caFile ?? "",
  };
  const key = JSON.stringify(settings);
  const cached = dispatchers.get(key);
  if (cached) return cached;
  const extra = [
    ...(settings.extraCaFile ? [readCa(settings.extraCaFile, "NODE_EXTRA_CA_CERTS")] : []),
    ...(settings.caFile ? [readCa(settings.caFile, "caFile")] : []),
  ];
  const tls = extra.length > 0 ? { ca: [...rootCertificates, ...extra] } : {};
  // Empty strings (not undefined) stop undici from falling back to process.env on its own.
  const dispatcher = new (loadUndici().EnvHttpProxyAgent)({
    httpProxy: settings.httpProxy,
    httpsProxy: settings.httpsProxy,
    noProxy: settings.noProxy,
    connect: tls,
    requestTls: tls,
    proxyTls: tls,
  });
  dispatchers.set(key, dispatcher);
  return dispatcher;
}

/** A `fetch` that goes through `networkDispatcher(options)` (undici's own fetch, which takes one). */
export function networkFetch(options: NetworkOptions = {}): typeof fetch {
  const dispatcher = networkDispatcher(options);
  const undiciFetch = loadUndici().fetch;
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher,
    })) as unknown as typeof fetch;
}
