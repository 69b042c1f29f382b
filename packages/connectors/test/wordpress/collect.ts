import { pino } from "pino";
import type { ListContext, SourceEvent } from "../../src/contract.js";

export const silentContext = (): ListContext => ({
  signal: new AbortController().signal,
  logger: pino({ level: "silent" }),
});

export async function collect(events: AsyncIterable<SourceEvent>): Promise<SourceEvent[]> {
  const result: SourceEvent[] = [];
  for await (const event of events) result.push(event);
  return result;
}

export const documentIds = (events: readonly SourceEvent[]): string[] =>
  events.flatMap((event) => (event.kind === "document" ? [event.document.externalId] : [])).sort();

export const deletedIds = (events: readonly SourceEvent[]): string[] =>
  events.flatMap((event) => (event.kind === "deleted" ? [event.externalId] : [])).sort();

export const lastCursor = (events: readonly SourceEvent[]): string => {
  const cursors = events.flatMap((event) => (event.kind === "cursor" ? [event.cursor] : []));
  const cursor = cursors.at(-1);
  if (cursor === undefined) throw new Error("the listing yielded no cursor");
  return cursor;
};
