/**
 * StatsCollector: samples for every container of a selection, following it
 * as containers start and stop (engine events), with a bounded history.
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
import { listTargets, watchTargets, type Selection, type Target } from '../engine/select.js';
import type { WatcherStatus } from '../events/watcher.js';
import { BerthError, isConnectionError } from '../errors.js';
import { linkedController } from '../stream/abort.js';
import { computeSample, isEmptyReading, readingTime, slimReading, type StatsSample } from './compute.js';
import type { RawStats } from './formulas.js';
import { DEFAULT_HISTORY, StatsHistory } from './history.js';
import { BoundedQueue } from '../stream/queue.js';
import { statsStream, TICK_SLACK_MS } from './sample.js';

export type StatsEvent =
  | { kind: 'sample'; key: string; target: Target; sample: StatsSample }
  | { kind: 'removed'; key: string; target: Target };

export interface CollectorOptions {
  /** Keep one reading per interval (ms, >= the engine's 1000). */
  intervalMs?: number;
  /** Samples of history per container. */
  history?: number;
  /** Keep no history (NDJSON output reads none): nothing then lives past its second. */
  noHistory?: boolean;
  warn?: (message: string) => void;
  onStatus?: (s: WatcherStatus, engine: Engine) => void;
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

  /** Follows a selection on every engine until `signal` aborts; yields samples and removals. */
  async *follow(engines: Engine[], sel: Selection, signal: AbortSignal): AsyncGenerator<StatsEvent> {
    const { controller, dispose } = linkedController(signal);
    const inner = controller.signal;
    setMaxListeners(0, inner); // one listener per container followed
    inner.addEventListener('abort', () => this.close(), { once: true });
    const watchers = engines.map((e) => this.watch(e, sel, inner));
    try {
      for (const t of await listTargets(engines, sel, inner)) {
        if (t.running) this.add(t, inner);
        else this.opts.warn?.(`${t.name} is not running; it is shown once it starts`);
      }
      yield* this.events();
    } finally {
      controller.abort();
      dispose();
      await Promise.allSettled(watchers);
    }
  }

  private async watch(engine: Engine, sel: Selection, signal: AbortSignal): Promise<void> {
    try {
      const onStatus = (s: WatcherStatus) => {
        this.opts.onStatus?.(s, engine);
        if (s.kind === 'reconnected') void this.resync(engine, sel, signal);
      };
      for await (const ch of watchTargets(engine, sel, signal, onStatus)) {
        if (ch.kind === 'start') this.add(ch.target, signal);
        else this.remove(targetKey({ engine, id: ch.id }));
      }
    } catch (err) {
      if (!signal.aborted) this.opts.warn?.(`stopped following container starts on ${engine.name}: ${(err as Error).message}`);
    }
  }

  /**
   * After the event stream came back: follow again the running containers whose stats stream was lost with
   * the connection but that did not restart (no start event), e.g. on an engine with live-restore.
   */
  private async resync(engine: Engine, sel: Selection, signal: AbortSignal): Promise<void> {
    try {
      for (const t of await listTargets([engine], sel, signal)) if (t.running) this.add(t, signal);
    } catch {
      // the next reconnect tries again
    }
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
