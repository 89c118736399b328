/**
 * The engine's event stream (GET /events) as an abortable AsyncIterable of
 * decoded messages. Breaking out of the loop or aborting the signal destroys
 * the HTTP request at once.
 */
import type { Engine } from '../engine/engine.js';
import { engineStream } from '../engine/request.js';
import { splitLines } from '../stream/lines.js';
import { nanosToEngineTime } from '../parse.js';
import { dockerAction, eventFiltersFor, untilFor } from '../engine/podman.js';

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  scope?: string;
  time: number;
  timeNano: number;
  /** timeNano exactly: the JSON number loses precision past 2^53. */
  nanos: bigint;
  status?: string;
  id?: string;
  from?: string;
}

export interface EventQuery {
  since?: bigint;
  until?: bigint;
  filters?: Record<string, string[]>;
  /** Called once the engine answered the subscription (before any event). */
  onOpen?: () => void;
}

/** docker sends filters as {key: {value: true}}. */
export function filtersParam(filters: Record<string, string[]> | undefined): string | undefined {
  if (!filters || Object.keys(filters).length === 0) return undefined;
  const out: Record<string, Record<string, boolean>> = {};
  for (const [k, vs] of Object.entries(filters)) out[k] = Object.fromEntries(vs.map((v) => [v, true]));
  return JSON.stringify(out);
}

/** Reads "timeNano": 1234 from the raw JSON text without going through a double. */
export function exactTimeNano(line: string, fallback: number): bigint {
  const m = /"timeNano":\s*(\d+)/.exec(line);
  return m ? BigInt(m[1]!) : BigInt(Math.round(fallback));
}

export async function* engineEvents(engine: Engine, q: EventQuery, signal?: AbortSignal): AsyncGenerator<EngineEvent> {
  const query: Record<string, string> = {};
  if (q.since !== undefined) query.since = nanosToEngineTime(q.since);
  // Podman's differences (engine/podman.ts): the window's end, the filter's and the actions' names.
  const until = untilFor(engine.flavor, q.until, BigInt(Date.now()) * 1_000_000n);
  if (until !== undefined) query.until = nanosToEngineTime(until);
  const f = filtersParam(eventFiltersFor(engine.flavor, q.filters));
  if (f) query.filters = f;
  const res = await engineStream(engine, { path: '/events', query, signal });
  q.onOpen?.();
  try {
    for await (const line of splitLines(res)) {
      if (!line.text.trim()) continue;
      const ev = JSON.parse(line.text) as EngineEvent;
      ev.nanos = exactTimeNano(line.text, ev.timeNano ?? ev.time * 1e9);
      if (q.until !== undefined && ev.nanos > q.until) continue;
      if (engine.flavor !== 'docker') ev.Action = dockerAction(engine.flavor, ev.Type, ev.Action);
      yield ev;
    }
  } finally {
    res.destroy();
  }
}
