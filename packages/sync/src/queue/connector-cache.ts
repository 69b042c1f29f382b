import type { Connector, ConnectorRegistry } from "@content-sync/connectors";
import type { Logger } from "pino";
import type { SourceConfig } from "../config/types.js";
import { type BudgetFactory, connectorInitFor } from "../connector-init.js";

/**
 * One connector per source, created from the registry on first use and rebuilt when the source's type
 * or options change (config reload); the replaced one is closed.
 */
export class ConnectorCache {
  private readonly connectors = new Map<string, { key: string; connector: Connector }>();

  constructor(
    private readonly registry: ConnectorRegistry,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly logger: Logger,
    /** Request budgets per source; default in-process (the services pass Redis-shared ones). */
    private readonly budgets?: BudgetFactory,
  ) {}

  get(source: SourceConfig): Connector {
    const key = JSON.stringify([source.type, source.options, source.requestBudget, source.network]);
    const cached = this.connectors.get(source.id);
    if (cached?.key === key) return cached.connector;
    if (cached) void cached.connector.close?.();
    const definition = this.registry.get(source.type);
    if (!definition) throw new Error(`source "${source.id}" has unknown connector type "${source.type}"`);
    const connector = definition.create(
      source.options,
      connectorInitFor(source, definition, {
        logger: this.logger.child({ sourceId: source.id, connector: source.type }),
        env: this.env,
        ...(this.budgets ? { budgets: this.budgets } : {}),
      }),
    );
    this.connectors.set(source.id, { key, connector });
    return connector;
  }

  async close(): Promise<void> {
    await Promise.all([...this.connectors.values()].map(({ connector }) => connector.close?.()));
    this.connectors.clear();
  }
}
