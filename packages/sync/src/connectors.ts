import { builtInConnectors, ConnectorRegistry } from "@content-sync/connectors/core";

/**
 * The connector types this build knows, by their config `type`. Each is imported only when loaded:
 * `loadConfig` loads the types its config names, `loadAll()` loads every one (the JSON Schema).
 * Every registry built here shares the loads, so a second call knows what the first one loaded.
 */
export function builtInRegistry(): ConnectorRegistry {
  return new ConnectorRegistry(builtInConnectors);
}
