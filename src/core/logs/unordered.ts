/** Log lines that come from outside the supervisor's containers and not in time order (swarm/service-logs.ts). */
import { byTs, type LogLine } from './line.js';
import type { LogQuery } from './source.js';

/** A source whose lines are not in time order: sorted whole when not following, passed through the reorder window when following. */
export type UnorderedSource = (query: LogQuery, follow: boolean, signal: AbortSignal) => AsyncIterable<LogLine[]>;

/** Every line of an unordered source up to its end (not following), in time order (stable: equal stamps keep their order). */
export async function* sortedLines(src: AsyncIterable<LogLine[]>, before?: string): AsyncGenerator<LogLine[]> {
  const all: LogLine[] = [];
  for await (const batch of src) for (const l of batch) if (before === undefined || l.ts < before) all.push(l);
  all.sort(byTs);
  if (all.length) yield all;
}
