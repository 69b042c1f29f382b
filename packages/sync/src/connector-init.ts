import { inProcessBudget, type RequestBudget, type RequestRate } from "@content-sync/connectors/budget";
import type { ConnectorDefinition, ConnectorInit } from "@content-sync/connectors/core";
import type { Logger } from "pino";
import type { SourceConfig } from "./config/types.js";

/** Makes the request budget of one source; the services return a Redis-shared one. */
export type BudgetFactory = (sourceId: string, rate: RequestRate) => RequestBudget;

/** One in-process token bucket per source: the inline CLI's budgets. */
export const inProcessBudgets: BudgetFactory = (_sourceId, rate) => inProcessBudget(rate);

/**
 * What a connector of `source` is created with, wherever it is created (CLI, worker, tests): its
 * logger and env, its request budget (the config's `requestBudget`, else the definition's documented
 * default) and its network settings.
 */
export function connectorInitFor(
  source: SourceConfig,
  definition: ConnectorDefinition<unknown>,
  deps: { logger: Logger; env: Readonly<Record<string, string | undefined>>; budgets?: BudgetFactory },
): ConnectorInit {
  const rate = source.requestBudget ?? definition.defaultRate;
  return {
    sourceId: source.id,
    logger: deps.logger,
    env: deps.env,
    budget: (deps.budgets ?? inProcessBudgets)(source.id, rate),
    ...(source.network ? { network: source.network } : {}),
  };
}
