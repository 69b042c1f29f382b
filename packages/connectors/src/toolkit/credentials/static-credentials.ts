import type { CredentialProvider } from "./credential-provider.js";

/** One fixed header (an API key header, `Authorization: Ghost …` built elsewhere). */
export function headerCredential(
  name: string,
  value: string | (() => string),
  options: { credentialEnv?: string; secrets?: readonly string[] } = {},
): CredentialProvider {
  const current = typeof value === "function" ? value : () => value;
  return {
    ...(options.credentialEnv ? { credentialEnv: options.credentialEnv } : {}),
    headers: async () => ({ [name.toLowerCase()]: current() }),
    secrets: () => [...(options.secrets ?? []), current()],
  };
}

/** `Authorization: Bearer <token>`. */
export function bearerToken(token: string, credentialEnv?: string): CredentialProvider {
  return headerCredential("authorization", `Bearer ${token}`, {
    ...(credentialEnv ? { credentialEnv } : {}),
    secrets: [token],
  });
}

/** HTTP Basic (`Authorization: Basic base64(user:password)`). */
export function basicAuth(username: string, password: string, credentialEnv?: string): CredentialProvider {
  const encoded = Buffer.from(`${username}:${password}`).toString("base64");
  return headerCredential("authorization", `Basic ${encoded}`, {
    ...(credentialEnv ? { credentialEnv } : {}),
    secrets: [password, encoded],
  });
}
