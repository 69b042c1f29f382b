import type { ConnectorDefinition } from "./contract.js";

/** Connector types by their config name; the config schema and the engine look types up here. */
export class ConnectorRegistry {
  private readonly definitions = new Map<string, ConnectorDefinition<unknown>>();

  constructor(definitions: readonly ConnectorDefinition<never>[] = []) {
    for (const definition of definitions) this.register(definition);
  }

  register<Options>(definition: ConnectorDefinition<Options>): this {
    if (this.definitions.has(definition.type)) {
      throw new Error(`connector type "${definition.type}" is registered twice`);
    }
    this.definitions.set(definition.type, definition as unknown as ConnectorDefinition<unknown>);
    return this;
  }

  get(type: string): ConnectorDefinition<unknown> | undefined {
    return this.definitions.get(type);
  }

  types(): string[] {
    return [...this.definitions.keys()].sort();
  }
}
