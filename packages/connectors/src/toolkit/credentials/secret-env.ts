import { ConnectorError } from "../../errors.js";

/** Where a secret is configured, for messages that say what to fix without showing the value. */
export interface SecretLocation {
  sourceId: string;
  /** The option naming the env var, as written in the config (`auth.tokenEnv`). */
  option: string;
}

/**
 * The value of the env var `name`. Missing or empty is a config error naming the variable and the
 * option, never the value.
 */
export function readSecretEnv(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  where: SecretLocation,
): string {
  const value = env[name];
  if (value === undefined || value === "") {
    throw new ConnectorError(
      "config",
      `source "${where.sourceId}": env var ${name} (options.${where.option}) is not set`,
      { sourceId: where.sourceId, credentialEnv: name },
    );
  }
  return value;
}
