/**
 * watchEvents: the engine's events, gapless across engine restarts and
 * dropped connections, over the one resumable stream (stream/resumable.ts).
 * On a drop it reports on `onStatus`, waits per the ReconnectScheduler, and
 * reopens from the cursor: `since` = the newest event delivered less
 * EVENT_WINDOW.windowNs, with the replayed events it already delivered
 * dropped by identity (type, action, actor id, timeNano). Events arrive out
 * of time order under concurrency; none is dropped for being older than one
 * delivered before. Before any event was delivered it resumes from the time
 * it first subscribed, so events during the outage are still replayed from
 * the engine's buffer. An engine not reached yet (its API version not
 * negotiated) is negotiated on each attempt.
 *
 * On Podman (resent.ts): an event delivered before is never delivered again (Podman sends the newer half
 * of its event log again when it rotates the log), and a stream that ends cleanly (how Podman ends a
 * stream opened with `since` at a rotation) is reopened from the cursor at once without a word when it
 * delivered a new event (rotations come as fast as events fill the log) or the last unsaid reopen was
 * PODMAN_QUIET_REOPEN_NS ago; a clean end with nothing new sooner than that, or a reopen that fails, is
 * reported as any drop.
 */
import type { Engine } from '../engine/engine.js';
import { negotiate } from '../engine/engine.js';
import { BerthError, isAbortError } from '../errors.js';
import { ReconnectScheduler, type BackoffPolicy, DEFAULT_BACKOFF, RetriesExhaustedError } from '../reconnect.js';
import { resumable, ResumeWindow, type WindowBounds } from '../stream/resumable.js';
import { engineEvents, type EngineEvent, type EventQuery } from './source.js';
import { DeliveredKeys } from './resent.js';

export type WatcherStatus = { kind: 'disconnected'; error: string } | { kind: 'retrying'; attempt: number; delayMs: number } | { kind: 'reconnected'; attempt: number };

/**
 * The one line a stream's connection state is told in, on stderr: `what` was lost (default "the
 * engine's event stream"), on which engine when several, what goes on meanwhile (default
 * "reconnecting") and what happens once back (nothing said by default).
 */
export function statusLine(s: WatcherStatus, o: { what?: string; engine?: string; whileDown?: string; onBack?: string } = {}): string {
  const where = o.engine ? ` (${o.engine})` : '';
  switch (s.kind) {
    case 'disconnected':
      return `lost ${o.what ?? "the engine's event stream"}${where}: ${s.error}; ${o.whileDown ?? 'reconnecting'}`;
    case 'retrying':
      return `reconnecting to the engine${where} (attempt ${s.attempt}, waited ${s.delayMs} ms)`;
    case 'reconnected':
      return `reconnected to the engine${where}${o.onBack ? `; ${o.onBack}` : ''}`;
  }
}

export interface WatchOptions extends EventQuery {
  onStatus?: (s: WatcherStatus) => void;
  /** Called each time the subscription is (re)established, before its first event. */
  onOpened?: (first: boolean) => void;
  backoff?: BackoffPolicy;
  /** Local clock, ns; injectable for tests. */
  now?: () => bigint;
  /** The engine subscription; injectable for tests. */
  subscribe?: typeof engineEvents;
}

/**
 * Bounds of the events cursor: an event may arrive up to 10 s after a newer
 * one and still be asked for again on a reconnect; at most 10,000 events are
 * held for de-duplication (the engine itself replays at most its last 256).
 */
export const EVENT_WINDOW: WindowBounds = { windowNs: 10_000_000_000n, maxHeld: 10_000 };

export function eventKey(ev: EngineEvent): string {
  return `${ev.Type}\u0000${ev.Action}\u0000${ev.Actor?.ID ?? ''}\u0000${ev.nanos}`;
}

/** On Podman, a clean end of a stream that delivered nothing new, within this long of the last unsaid reopen, is reported as a drop. */
export const PODMAN_QUIET_REOPEN_NS = 10_000_000_000n;

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export async function* watchEvents(engine: Engine, opts: WatchOptions, signal: AbortSignal): AsyncGenerator<EngineEvent> {
  const scheduler = new ReconnectScheduler(opts.backoff ?? DEFAULT_BACKOFF);
  const subscribe = opts.subscribe ?? engineEvents;
  const now = opts.now ?? nowNs;
  const cursor = new ResumeWindow<EngineEvent>(eventKey, (e) => e.nanos, EVENT_WINDOW);
  let firstSubscribed: bigint | undefined;
  let reconnecting = false;
  const delivered = engine.flavor === 'podman' ? new DeliveredKeys() : undefined;
  let lastQuiet: bigint | undefined;
  /** Whether the stream open now (or just ended) delivered an event not delivered before. */
  let deliveredNew = false;
  const opened = (first: boolean) => {
    if (reconnecting) {
      reconnecting = false;
      opts.onStatus?.({ kind: 'reconnected', attempt: scheduler.attempts });
      scheduler.succeeded();
    }
    opts.onOpened?.(first);
  };
  async function* open(since: bigint | undefined, first: boolean, sig: AbortSignal): AsyncGenerator<EngineEvent[]> {
    const from = first ? opts.since : (since ?? opts.since ?? firstSubscribed);
    firstSubscribed ??= now();
    if (!engine.apiVersion && opts.subscribe === undefined) await negotiate(engine, sig);
    let announced = false;
    deliveredNew = false;
    const onOpen = () => ((announced = true), opened(first));
    for await (const ev of subscribe(engine, { since: from, until: opts.until, filters: opts.filters, onOpen }, sig)) {
      if (!announced) onOpen();
      if (delivered && !delivered.add(eventKey(ev))) continue;
      deliveredNew = true;
      yield [ev];
    }
    if (!announced) onOpen();
  }
  const reopen = async (err: unknown, sig: AbortSignal): Promise<boolean> => {
    // The engine closes the stream at `until`; without one, a close means it went away.
    if (opts.until !== undefined && now() >= opts.until) return false;
    if (err === undefined && delivered && !reconnecting && (deliveredNew || lastQuiet === undefined || now() - lastQuiet >= PODMAN_QUIET_REOPEN_NS)) {
      lastQuiet = now();
      return true;
    }
    err ??= new BerthError('ENGINE_UNREACHABLE', 'the engine closed the event stream');
    if (isAbortError(err)) return false;
    if (err instanceof BerthError && err.code !== 'ENGINE_UNREACHABLE') throw err;
    if (!reconnecting) opts.onStatus?.({ kind: 'disconnected', error: (err as Error).message });
    reconnecting = true;
    // A wait never outlasts --until.
    const left = opts.until === undefined ? undefined : Number((opts.until - now()) / 1_000_000n);
    const waitSignal = left === undefined ? sig : AbortSignal.any([sig, AbortSignal.timeout(Math.max(0, left))]);
    try {
      const { delayMs, attempt } = await scheduler.wait(waitSignal, err);
      opts.onStatus?.({ kind: 'retrying', attempt, delayMs });
    } catch (waitErr) {
      if (waitSignal.aborted) return false;
      if (waitErr instanceof RetriesExhaustedError) throw err;
      throw waitErr;
    }
    return true;
  };
  for await (const batch of resumable({ open, reopen }, cursor, signal)) yield* batch;
}
