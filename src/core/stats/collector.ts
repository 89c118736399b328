/**
 * StatsCollector: samples for every container of a selection, following it
 * as containers start and stop (the selection supervisor), with a bounded history.
 *
 * One engine stats stream per container. Each reading is turned into a sample
 * against the previous one kept (`computeSample`); with an interval above the
 * engine's one second, readings closer than the interval to the last kept one
 * are skipped, so CPU% and rates span the whole interval. A container that
 * dies or is removed is dropped with its history; one that starts is added.
 * Bounds: the event queue holds at most 1024 events (producers then wait, see
 * BoundedQueue) and the history at most containers x --history samples.
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import type { Selection, Target } from '../engine/select.js';
import { Supervisor, type Lifetime } from '../select/supervisor.js';
import { BerthError, isConnectionError } from '../errors.js';
import { linkedController } from '../stream/abort.js';
import { computeSample, isEmptyReading, readingTime, slimReading, type StatsSample } from './compute.js';
import type { RawStats } from './formulas.js';
import { DEFAULT_HISTORY, StatsHistory } from './history.js';
import { BoundedQueue } from '../stream/queue.js';
import { statsStream, TICK_SLACK_MS } from './sample.js';

export type StatsEvent = { kind: 'sample'; key: string; target: Target; sample: StatsSample } | { kind: 'removed'; key: string; target: Target };

export interface CollectorOptions {
  /** Keep one reading per interval (ms, >= the engine's 1000). */
  intervalMs?: number;
  /** Samples of history per container. */
  history?: number;
  /** Keep no history (NDJSON output reads none): nothing then lives past its second. */
  noHistory?: boolean;
  warn?: (message: string) => void;
  /** The per-container reading source; injectable for tests. */
  stream?: typeof statsStream;
}

export const targetKey = (t: { engine: Engine; id: string }) => `${t.engine.name}/${t.id}`;

export class StatsCollector {
  readonly history: StatsHistory;
  readonly intervalMs: number;
  private readonly live = new Map<string, { target: Target; stop: AbortController }>();
  private readonly queue = new BoundedQueue<StatsEvent>(1024);
  private readonly stream: typeof statsStream;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.history = new StatsHistory(opts.history ?? DEFAULT_HISTORY);
    this.intervalMs = opts.intervalMs ?? 1000;
    this.stream = opts.stream ?? statsStream;
  }

  /** The containers followed now, by name. */
  targets(): Target[] {
    return [...this.live.values()].map((l) => l.target).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Starts following a container (no-op when already followed). */
  add(target: Target, signal: AbortSignal): void {
    const key = targetKey(target);
    if (this.live.has(key) || signal.aborted) return;
    const { controller } = linkedController(signal);
    this.live.set(key, { target, stop: controller });
    void this.pump(key, target, controller.signal);
  }

  /** Stops following a container and forgets its history. */
  remove(key: string): void {
    const entry = this.live.get(key);
    if (!entry) return;
    this.live.delete(key);
    entry.stop.abort();
    this.history.remove(key);
    void this.queue.push({ kind: 'removed', key, target: entry.target });
  }

  /** The samples and removals of the containers added with `add`, until `close`. */
  events(): AsyncGenerator<StatsEvent> {
    return this.queue[Symbol.asyncIterator]();
  }

  /** Ends `events()` after what is queued. */
  close(): void {
    this.queue.close();
  }

  /**
   * Follows a selection on every engine until `signal` aborts; yields samples and removals. Which
   * containers there are, and when they start, stop and go, comes from the selection supervisor: a
   * running one is sampled, a stopped or removed one is dropped with its history.
   */
  async *follow(engines: Engine[], sel: Selection, signal: AbortSignal): AsyncGenerator<StatsEvent> {
    const { controller, dispose } = linkedController(signal);
    const inner = controller.signal;
    setMaxListeners(0, inner); // one listener per container followed
    inner.addEventListener('abort', () => this.close(), { once: true });
    const supervisor = new Supervisor(engines, sel, { warn: (m) => this.opts.warn?.(m), resumeNote: 'container starts and stops missed meanwhile are caught up' });
    const lifetimes = supervisor.lifetimes(inner);
    let feeding: Promise<void> | undefined;
    try {
      const first = await lifetimes.next(); // NOT_FOUND and a bad --filter fail here, before any output
      feeding = this.feed(first, lifetimes, inner);
      yield* this.events();
    } finally {
      controller.abort();
      dispose();
      await feeding;
    }
  }

  private async feed(first: IteratorResult<Lifetime>, rest: AsyncGenerator<Lifetime>, signal: AbortSignal): Promise<void> {
    try {
      for (let r = first; !r.done; r = await rest.next()) this.apply(r.value, signal);
    } catch (err) {
      if (!signal.aborted) this.opts.warn?.(`stopped following containers: ${(err as Error).message}`);
    } finally {
      await rest.return(undefined);
    }
  }

  private apply(l: Lifetime, signal: AbortSignal): void {
    if (l.kind === 'synced') return;
    if (l.kind === 'added' && !l.target.running) {
      if (l.history) this.opts.warn?.(`${l.target.name} is not running; it is shown once it starts`);
    } else if (l.kind === 'added' || l.kind === 'started') this.add(l.target, signal);
    else this.remove(targetKey(l.target));
  }

  private async pump(key: string, target: Target, signal: AbortSignal): Promise<void> {
    let prev: RawStats | undefined;
    let badLines = 0;
    const onBadLine = (n: number, error: string) => {
      if (badLines++ === 0) this.opts.warn?.(`stats of ${target.name}: skipped line ${n} of the engine's stream: ${error}`);
    };
    try {
      for await (const raw of this.stream(target.engine, target.id, signal, onBadLine)) {
        if (isEmptyReading(raw)) {
          prev = undefined;
          continue;
        }
        if (prev && !this.due(prev, raw)) continue;
        const sample = computeSample(prev, raw);
        prev = slimReading(raw, sample);
        if (!this.opts.noHistory) this.history.add(key, sample);
        const full = this.queue.push({ kind: 'sample', key, target, sample });
        if (full) await full;
      }
    } catch (err) {
      if (!signal.aborted && !quietLoss(err)) this.opts.warn?.(`stats of ${target.name}: ${(err as Error).message}`);
    } finally {
      if (this.live.get(key)?.stop.signal === signal) this.remove(key);
    }
  }

  private due(prev: RawStats, cur: RawStats): boolean {
    const a = readingTime(prev);
    const b = readingTime(cur);
    return a === undefined || b === undefined || b - a >= this.intervalMs - TICK_SLACK_MS;
  }
}

/** A container removed, or the engine gone (the event watcher reports that once, not once per container). */
function quietLoss(err: unknown): boolean {
  if (err instanceof BerthError) return err.code === 'NOT_FOUND' || err.code === 'ENGINE_UNREACHABLE';
  return isConnectionError(err) || /socket hang up|aborted/i.test((err as Error)?.message ?? '');
}
