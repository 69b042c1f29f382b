import { z } from "zod";
import type { ConnectorInit } from "../../contract.js";
import type { CredentialProvider } from "./credential-provider.js";
import { googleServiceAccount, parseServiceAccountKey } from "./google-service-account.js";
import { oauthClientCredentials } from "./oauth-client-credentials.js";
import { readSecretEnv } from "./secret-env.js";
import { basicAuth, bearerToken } from "./static-credentials.js";

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable, not its value");

const VARIANTS = {
  bearer: z.strictObject({
    type: z.literal("bearer"),
    /** Env var holding the token, sent as `Authorization: Bearer`. */
    tokenEnv: envVarName.describe("Env var holding the bearer token."),
  }),
  basic: z.strictObject({
    type: z.literal("basic"),
    usernameEnv: envVarName.describe("Env var holding the user name."),
    passwordEnv: envVarName.describe("Env var holding the password (or application password)."),
  }),
  "oauth-client-credentials": z.strictObject({
    type: z.literal("oauth-client-credentials"),
    tokenUrl: z.url({ protocol: /^https?$/ }).describe("The OAuth 2.0 token endpoint."),
    clientIdEnv: envVarName.describe("Env var holding the client id."),
    clientSecretEnv: envVarName.describe("Env var holding the client secret."),
    scope: z.string().min(1).optional().describe("Space-separated scopes."),
    clientAuth: z
      .enum(["body", "basic"])
      .optional()
      .describe("How the client authenticates to the token endpoint. Default body."),
  }),
  "google-service-account": z.strictObject({
    type: z.literal("google-service-account"),
    keyEnv: envVarName.describe("Env var holding the service account key file's JSON."),
    scopes: z.array(z.string().min(1)).min(1).describe("OAuth scopes to request."),
    subject: z.email().optional().describe("User to impersonate (domain-wide delegation)."),
    tokenUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe("Token endpoint instead of Google's."),
  }),
} as const;

export type AuthType = keyof typeof VARIANTS;

/** An auth block as written in a connector's options, e.g. `auth: { type: bearer, tokenEnv: WIKI_TOKEN }`. */
export type AuthBlock = { [T in AuthType]: z.output<(typeof VARIANTS)[T]> }[AuthType];

/**
 * The zod schema of an auth block for connectors to embed in their options (`auth: authBlockSchema()`),
 * limited to the types the product accepts. `config check` reports a bad block with its path
 * (`sources[0].options.auth.tokenEnv`) like any other option.
 */
export function authBlockSchema<T extends AuthType>(
  types: readonly T[] = Object.keys(VARIANTS) as T[],
): z.ZodType<Extract<AuthBlock, { type: T }>> {
  const [first, ...rest] = types.map((type) => VARIANTS[type]);
  if (!first) throw new Error("authBlockSchema needs at least one auth type");
  return z.discriminatedUnion("type", [first, ...rest]) as unknown as z.ZodType<
    Extract<AuthBlock, { type: T }>
  >;
}

/** The credential provider an auth block describes, with its secrets read from `init.env`. */
export function credentialsFromAuthBlock(
  block: AuthBlock,
  init: ConnectorInit,
  option = "auth",
): CredentialProvider {
  const secret = (name: string, field: string) =>
    readSecretEnv(init.env, name, { sourceId: init.sourceId, option: `${option}.${field}` });
  switch (block.type) {
    case "bearer":
      return bearerToken(secret(block.tokenEnv, "tokenEnv"), block.tokenEnv);
    case "basic":
      return basicAuth(
        secret(block.usernameEnv, "usernameEnv"),
        secret(block.passwordEnv, "passwordEnv"),
        block.passwordEnv,
      );
    case "oauth-client-credentials":
      return oauthClientCredentials({
        sourceId: init.sourceId,
        tokenUrl: block.tokenUrl,
        clientId: secret(block.clientIdEnv, "clientIdEnv"),
        clientSecret: secret(block.clientSecretEnv, "clientSecretEnv"),
        credentialEnv: block.clientSecretEnv,
        ...(block.scope ? { scope: block.scope } : {}),
        ...(block.clientAuth ? { clientAuth: block.clientAuth } : {}),
      });
    case "google-service-account":
      return googleServiceAccount({
        sourceId: init.sourceId,
        key: parseServiceAccountKey(secret(block.keyEnv, "keyEnv"), init.sourceId, block.keyEnv),
        scopes: block.scopes,
        credentialEnv: block.keyEnv,
        ...(block.subject ? { subject: block.subject } : {}),
        ...(block.tokenUrl ? { tokenUrl: block.tokenUrl } : {}),
      });
  }
}
