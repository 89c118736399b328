/**
 * StatsCollector: samples for every container of a selection, following it
 * as containers start and stop (the selection supervisor), with a bounded history.
 *
 * One engine stats stream per container. Each reading is turned into a sample
 * against the previous one kept (`computeSample`); with an interval above the
 * engine's one second, readings closer than the interval to the last kept one
 * are skipped, so CPU% and rates span the whole interval. A container that
 * dies or is removed is dropped with its history; one that starts is added.
 * Stopped members are kept apart (`stopped()`), as `docker stats -a` keeps
 * them, when the selection takes them (names, or `all`: --project and
 * --filter): each is said once as it is found stopped (`kind: 'stopped'`).
 *
 * Readings are handled in windows: a line read from any container's stream
 * waits up to WINDOW_MS, with the others that arrive meanwhile, and the
 * window's lines are then parsed, made samples and queued together, in the
 * order they arrived. The engine sends every container's reading at its 1 s
 * tick, spread over a few hundred ms; handled one by one as each arrives, a
 * reading's parse, sample and record cost about 2.5 times what they cost
 * handled together (the process wakes cold for each: bench/stats-cost.mjs,
 * docs/benchmarks.md). A sample is queued at most WINDOW_MS after its reading
 * came; a stream's last lines are handled before its container is dropped.
 *
 * Bounds: the event queue holds at most 1024 events (the streams then wait,
 * see BoundedQueue), a window at most the lines read while the queue is below
 * that, and the history at most containers x --history samples.
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import type { Selection, Target } from '../engine/select.js';
import { Supervisor, type Lifetime } from '../select/supervisor.js';
import { BerthError, isConnectionError } from '../errors.js';
import { linkedController } from '../stream/abort.js';
import { isEmptyReading, nextSample, previousOf, readingTime, type Previous, type StatsSample } from './compute.js';
import { DEFAULT_HISTORY, StatsHistory } from './history.js';
import { BoundedQueue } from '../stream/queue.js';
import type { RawStats } from './formulas.js';
import { parseReading, readStatsLines, TICK_SLACK_MS } from './sample.js';

export type StatsEvent = { kind: 'sample'; key: string; target: Target; sample: StatsSample } | { kind: 'removed'; key: string; target: Target } | { kind: 'stopped'; key: string; target: Target };

export interface CollectorOptions {
  /** Keep one reading per interval (ms, >= the engine's 1000). */
  intervalMs?: number;
  /** Samples of history per container. */
  history?: number;
  /** Keep no history (NDJSON output reads none): nothing then lives past its second. */
  noHistory?: boolean;
  warn?: (message: string) => void;
  /** The per-container source of the readings' lines; injectable for tests. */
  stream?: typeof readStatsLines;
  /** How long a line waits for others before the window is handled (default WINDOW_MS; 0: at once). */
  windowMs?: number;
}

/** The longest a reading waits to be handled with the others of its window. */
export const WINDOW_MS = 250;

export const targetKey = (t: { engine: Engine; id: string }) => `${t.engine.name}/${t.id}`;

export class StatsCollector {
  readonly history: StatsHistory;
  readonly intervalMs: number;
  private readonly live = new Map<string, { target: Target; stop: AbortController }>();
  /** The selection's stopped members, when it takes them. */
  private readonly asleep = new Map<string, Target>();
  private showStopped = false;
  private readonly queue = new BoundedQueue<StatsEvent>(1024);
  private readonly stream: typeof readStatsLines;
  private readonly windowMs: number;
  /** The lines of the window not handled yet, in the order they came. */
  private held: Array<{ follower: Follower; text: string; n: number }> = [];
  private window: NodeJS.Timeout | undefined;

  constructor(private readonly opts: CollectorOptions = {}) {
    this.history = new StatsHistory(opts.history ?? DEFAULT_HISTORY);
    this.intervalMs = opts.intervalMs ?? 1000;
    this.stream = opts.stream ?? readStatsLines;
    this.windowMs = opts.windowMs ?? WINDOW_MS;
  }

  /** The containers followed now, by name. */
  targets(): Target[] {
    return [...this.live.values()].map((l) => l.target).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The selection's stopped members now, by name. */
  stopped(): Target[] {
    return [...this.asleep.values()].sort((a, b) => a.name.localeCompare(b.name));
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
    clearTimeout(this.window);
    this.window = undefined;
    this.held = [];
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
    this.showStopped = !!sel.all || sel.names.length > 0; // as docker stats -a, or docker stats NAME
    // Unordered: the order containers are added in shows nowhere (the views sort their rows, records come as readings do).
    const supervisor = new Supervisor(engines, sel, { warn: (m) => this.opts.warn?.(m), resumeNote: 'container starts and stops missed meanwhile are caught up', unordered: true });
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
    const key = targetKey(l.target);
    if (l.kind === 'added' && !l.target.running) {
      if (l.history) this.sleep(key, l.target);
    } else if (l.kind === 'added' || l.kind === 'started') {
      this.asleep.delete(key);
      this.add(l.target, signal);
    } else {
      this.remove(key);
      if (l.kind === 'stopped') this.sleep(key, l.target);
      else this.asleep.delete(key);
    }
  }

  /** A stopped member, said once (when the selection takes stopped ones). */
  private sleep(key: string, target: Target): void {
    if (!this.showStopped || this.asleep.has(key)) return;
    this.asleep.set(key, target);
    void this.queue.push({ kind: 'stopped', key, target });
  }

  private async pump(key: string, target: Target, signal: AbortSignal): Promise<void> {
    const follower = new Follower(target, signal, this.intervalMs, {
      sample: (sample) => this.emit(key, target, sample),
      warn: (m) => this.opts.warn?.(m),
    });
    try {
      await this.stream(target.engine, target.id, signal, (text, n) => this.hold(follower, text, n));
    } catch (err) {
      if (!signal.aborted && !quietLoss(err)) this.opts.warn?.(`stats of ${target.name}: ${(err as Error).message}`);
    } finally {
      this.handleWindow(); // the stream's last readings, before the container is dropped
      if (this.live.get(key)?.stop.signal === signal) this.remove(key);
    }
  }

  /** A line joins the window (which starts with it when none is open); a promise while the consumer is behind. */
  private hold(f: Follower, text: string, n: number): Promise<void> | undefined {
    this.held.push({ follower: f, text, n });
    if (this.windowMs === 0) this.handleWindow();
    else this.window ??= setTimeout(() => this.handleWindow(), this.windowMs);
    return this.queue.ready();
  }

  /** The window's lines, each to its follower, in the order they came (a follower stopped since skips its own). */
  private handleWindow(): void {
    clearTimeout(this.window);
    this.window = undefined;
    const held = this.held;
    this.held = [];
    for (const h of held) if (!h.follower.signal.aborted) h.follower.take(h.text, h.n);
  }

  /** A sample for the history and the queue. */
  private emit(key: string, target: Target, sample: StatsSample): void {
    if (!this.opts.noHistory) this.history.add(key, sample);
    void this.queue.push({ kind: 'sample', key, target, sample });
  }
}

/** One container's series: its lines become readings, and those due become samples against the previous kept. */
class Follower {
  private prev: Previous | undefined;
  private badLines = 0;

  constructor(
    readonly target: Target,
    readonly signal: AbortSignal,
    private readonly intervalMs: number,
    private readonly to: { sample: (s: StatsSample) => void; warn: (message: string) => void },
  ) {}

  take(text: string, n: number): void {
    const raw = parseReading(text, this.target.engine.flavor);
    if (typeof raw === 'string') {
      if (this.badLines++ === 0) this.to.warn(`stats of ${this.target.name}: skipped line ${n} of the engine's stream: ${raw}`);
      return;
    }
    if (isEmptyReading(raw)) {
      this.prev = undefined;
      return;
    }
    if (this.prev && !this.due(this.prev.sample.tsMs, raw)) return;
    const sample = nextSample(this.prev, raw);
    this.prev = previousOf(raw, sample);
    this.to.sample(sample);
  }

  /** A reading at least an interval (less the engine's tick jitter) after the one kept last. */
  private due(prevMs: number, cur: RawStats): boolean {
    const b = readingTime(cur);
    return b === undefined || b - prevMs >= this.intervalMs - TICK_SLACK_MS;
  }
}

/** A container removed, or the engine gone (the event watcher reports that once, not once per container). */
function quietLoss(err: unknown): boolean {
  if (err instanceof BerthError) return err.code === 'NOT_FOUND' || err.code === 'ENGINE_UNREACHABLE';
  return isConnectionError(err) || /socket hang up|aborted/i.test((err as Error)?.message ?? '');
}
