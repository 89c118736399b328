/**
 * EventWatcher: the engine's events, gapless across engine restarts and
 * dropped connections. On a drop it reports on `onStatus`, waits per the
 * ReconnectScheduler, and resubscribes with `since` = the last event it
 * delivered (inclusive), dropping the boundary repeats via ResumeCursor. Before
 * any event was delivered it resumes from the time it first subscribed, so
 * events during the outage are still replayed from the engine's buffer.
 */
import type { Engine } from '../engine/engine.js';
import { BerthError, isAbortError } from '../errors.js';
import { ReconnectScheduler, ResumeCursor, type BackoffPolicy, DEFAULT_BACKOFF, RetriesExhaustedError } from '../reconnect.js';
import { engineEvents, type EngineEvent, type EventQuery } from './source.js';

export type WatcherStatus =
  | { kind: 'disconnected'; error: string }
  | { kind: 'retrying'; attempt: number; delayMs: number }
  | { kind: 'reconnected'; attempt: number };

export interface WatchOptions extends EventQuery {
  onStatus?: (s: WatcherStatus) => void;
  backoff?: BackoffPolicy;
  /** Local clock, ns; injectable for tests. */
  now?: () => bigint;
  /** The engine subscription; injectable for tests. */
  subscribe?: typeof engineEvents;
}

export function eventKey(ev: EngineEvent): string {
  return `${ev.Type}\u0000${ev.Action}\u0000${ev.Actor?.ID ?? ''}\u0000${ev.nanos}`;
}

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export async function* watchEvents(engine: Engine, opts: WatchOptions, signal: AbortSignal): AsyncGenerator<EngineEvent> {
  const cursor = new ResumeCursor();
  const scheduler = new ReconnectScheduler(opts.backoff ?? DEFAULT_BACKOFF);
  const subscribe = opts.subscribe ?? engineEvents;
  const now = opts.now ?? nowNs;
  let firstSubscribed: bigint | undefined;
  let reconnecting = false;
  for (;;) {
    const since = cursor.ns ?? opts.since ?? firstSubscribed;
    firstSubscribed ??= now();
    try {
      const stream = subscribe(engine, { since, until: opts.until, filters: opts.filters }, signal);
      for await (const ev of stream) {
        if (reconnecting) {
          reconnecting = false;
          opts.onStatus?.({ kind: 'reconnected', attempt: scheduler.attempts });
          scheduler.succeeded();
        }
        if (cursor.accept(ev.nanos, eventKey(ev))) yield ev;
      }
      // The engine closes the stream at `until`; without one, a close means it went away.
      if (opts.until !== undefined && now() >= opts.until) return;
      if (opts.until !== undefined && cursor.ns !== undefined && cursor.ns >= opts.until) return;
      throw new BerthError('ENGINE_UNREACHABLE', 'the engine closed the event stream');
    } catch (err) {
      if (signal.aborted || isAbortError(err)) return;
      if (err instanceof BerthError && err.code !== 'ENGINE_UNREACHABLE') throw err;
      if (!reconnecting) opts.onStatus?.({ kind: 'disconnected', error: (err as Error).message });
      reconnecting = true;
      try {
        const { delayMs, attempt } = await scheduler.wait(signal, err);
        opts.onStatus?.({ kind: 'retrying', attempt, delayMs });
      } catch (waitErr) {
        if (signal.aborted) return;
        if (waitErr instanceof RetriesExhaustedError) throw err;
        throw waitErr;
      }
    }
  }
}
