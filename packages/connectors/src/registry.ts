import type { ConnectorDefinition } from "./contract.js";

/** Imports a connector's module and hands back its definition; called at most once per handle. */
export type ConnectorLoader<Options = unknown> = () => Promise<ConnectorDefinition<Options>>;

/**
 * A connector type known by name before its module is imported. Each connector drags in its own
 * product client (AWS signing, XML parsers, Notion, Graph, Drive…), so a process imports only the
 * types its config names. A handle is shared by every registry it is added to: loaded once, it is
 * loaded for all of them (the CLI and the services build more than one registry per process).
 */
export class LazyConnector {
  private definition: ConnectorDefinition<unknown> | undefined;
  private pending: Promise<ConnectorDefinition<unknown>> | undefined;

  constructor(
    readonly type: string,
    private readonly loader: ConnectorLoader,
  ) {}

  /** The definition once `load` has resolved; undefined before. */
  get loaded(): ConnectorDefinition<unknown> | undefined {
    return this.definition;
  }

  load(): Promise<ConnectorDefinition<unknown>> {
    this.pending ??= this.loader().then(
      (definition) => {
        if (definition.type !== this.type) {
          throw new Error(
            `connector type "${this.type}" loaded a definition of type "${definition.type}": fix its loader`,
          );
        }
        this.definition = definition;
        return definition;
      },
      (error: unknown) => {
        // A failed import (a missing optional dependency) may be retried by a later load.
        this.pending = undefined;
        throw error;
      },
    );
    return this.pending;
  }
}

/** A connector type registered by name with the loader that imports it. */
export function lazyConnector<Options>(type: string, loader: ConnectorLoader<Options>): LazyConnector {
  return new LazyConnector(type, loader as unknown as ConnectorLoader);
}

type Entry = { definition: ConnectorDefinition<unknown> } | { lazy: LazyConnector };

/**
 * Connector types by their config name; the config schema and the engine look types up here. Types
 * are registered either as definitions (tests, extra connectors) or lazily by name (the built-in
 * ones): `types()` and `has()` know every type, `get()` answers for loaded ones, and `load()` /
 * `loadAll()` import the lazy ones. `loadConfig` loads the types a config names before validating,
 * so everything after it may use `get()`.
 */
export class ConnectorRegistry {
  private readonly entries = new Map<string, Entry>();

  constructor(definitions: readonly (ConnectorDefinition<never> | LazyConnector)[] = []) {
    for (const definition of definitions) this.register(definition);
  }

  register<Options>(definition: ConnectorDefinition<Options> | LazyConnector): this {
    if (this.entries.has(definition.type)) {
      throw new Error(`connector type "${definition.type}" is registered twice`);
    }
    this.entries.set(
      definition.type,
      definition instanceof LazyConnector
        ? { lazy: definition }
        : { definition: definition as unknown as ConnectorDefinition<unknown> },
    );
    return this;
  }

  /** True when `type` is registered, loaded or not. */
  has(type: string): boolean {
    return this.entries.has(type);
  }

  /** True when `type` is registered and its definition is at hand (eager, or lazy and loaded). */
  isLoaded(type: string): boolean {
    const entry = this.entries.get(type);
    return entry !== undefined && ("definition" in entry || entry.lazy.loaded !== undefined);
  }

  /**
   * The definition of `type`; undefined when no such type is registered. Throws for a registered
   * type that was not loaded yet: that is a missing `await registry.load(type)` in the caller, not an
   * unknown type, and answering undefined would report it as one.
   */
  get(type: string): ConnectorDefinition<unknown> | undefined {
    const entry = this.entries.get(type);
    if (!entry) return undefined;
    if ("definition" in entry) return entry.definition;
    const definition = entry.lazy.loaded;
    if (!definition) {
      throw new Error(
        `connector type "${type}" is registered but not loaded yet: await registry.load("${type}") first (loadConfig does it for the types a config names)`,
      );
    }
    return definition;
  }

  /** Imports `type` if it is lazy and not loaded; resolves to its definition, undefined when unknown. */
  async load(type: string): Promise<ConnectorDefinition<unknown> | undefined> {
    const entry = this.entries.get(type);
    if (!entry) return undefined;
    return "definition" in entry ? entry.definition : entry.lazy.load();
  }

  /** Loads every registered type: for whatever needs them all (the config JSON Schema, listings). */
  async loadAll(): Promise<void> {
    await Promise.all(this.types().map((type) => this.load(type)));
  }

  /** Every registered type, loaded or not, sorted. */
  types(): string[] {
    return [...this.entries.keys()].sort();
  }
}
