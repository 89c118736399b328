/**
 * EngineWatcher: the one watcher of an engine's containers, shared by every
 * consumer in the process (serve's routes, the lifecycle owner, the
 * selection supervisor, topology's event counts). It holds one event
 * subscription (events/watcher.ts: gapless across reconnects, with the
 * ReconnectScheduler's backoff) and one membership view (membership.ts),
 * kept by events and listed again only after the subscription (re)opens: no
 * periodic listing.
 *
 * Order at a (re)connect: the subscription is answered first, then the
 * engine is listed; events that arrive during the listing are held and
 * applied after it, so nothing between the two is lost. Consumers then get
 * `synced`.
 *
 * Lifetime: it runs while at least one consumer's signal is alive (`use`)
 * and stops with the last. While the engine is down, `members` falls back to
 * one listing per call, so a caller gets either the engine's own error (as
 * before) or a fresh answer.
 *
 * Bounds: the view holds one entry per container of the engine; events met
 * during a listing are held up to HELD_MAX (past it the oldest are dropped:
 * that listing is then redone once it ends).
 */
import type { Engine } from '../engine/engine.js';
import { listContainers } from '../engine/containers.js';
import { toBerthError } from '../engine/request.js';
import type { EngineEvent } from '../events/source.js';
import { watchEvents, type WatcherStatus } from '../events/watcher.js';
import { applyEvent, memberFromListing, MEMBERSHIP_ACTIONS, type Member } from './membership.js';

export type { Member } from './membership.js';

export interface WatcherListener {
  /** Every container event, after the view applied it (`member`: the container after it; undefined once removed). */
  event?: (ev: EngineEvent, member: Member | undefined) => void;
  /** The view was listed again after a (re)connect (`first`: the first listing). */
  synced?: (first: boolean) => void;
  /** The subscription's connection state. */
  status?: (s: WatcherStatus) => void;
}

const HELD_MAX = 65_536;
const watchers = new WeakMap<Engine, EngineWatcher>();

export class EngineWatcher {
  private view = new Map<string, Member>();
  private readonly listeners = new Set<WatcherListener>();
  private users = 0;
  private readonly signals = new WeakSet<AbortSignal>();
  private controller: AbortController | undefined;
  /** Synced and subscribed: the view is current. */
  private up = false;
  private listing = false;
  private held: EngineEvent[] = [];
  private overflow = false;
  private generation = 0;
  private allEvents = false;
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private syncs = 0;
  /** A connection or listing failed since the last listing. */
  private down = false;

  private constructor(readonly engine: Engine) {}

  /** The engine's one watcher in this process. */
  static of(engine: Engine): EngineWatcher {
    let w = watchers.get(engine);
    if (!w) watchers.set(engine, (w = new EngineWatcher(engine)));
    return w;
  }

  /**
   * Keeps the subscription open while `signal` lives. `allEvents`: hand on every container event (exec,
   * kill, ...), not only those the view changes on (topology counts them); asked once, it stays.
   */
  use(signal: AbortSignal, opts: { allEvents?: boolean } = {}): void {
    if (signal.aborted) return;
    // Each signal counts once, however often its owner asks (a round per second).
    if (!this.signals.has(signal)) {
      this.signals.add(signal);
      this.users++;
      signal.addEventListener('abort', () => --this.users === 0 && this.stop(), { once: true });
    }
    if (opts.allEvents && !this.allEvents) {
      this.allEvents = true;
      if (this.controller) this.stop();
    }
    if (!this.controller) this.start();
  }

  /** Listens until `signal` aborts (and keeps the watcher running meanwhile). */
  listen(l: WatcherListener, signal: AbortSignal, opts: { allEvents?: boolean } = {}): void {
    if (signal.aborted) return;
    this.listeners.add(l);
    signal.addEventListener('abort', () => this.listeners.delete(l), { once: true });
    this.use(signal, opts);
  }

  /** Yields once after one or more events with these actions (a burst is one yield: bounded), until `signal`. */
  async *changes(actions: readonly string[], signal: AbortSignal): AsyncGenerator<void> {
    let fired = false;
    let wake: (() => void) | undefined;
    const event = (ev: EngineEvent) => {
      if (!actions.includes(ev.Action.split(':')[0]!)) return;
      fired = true;
      wake?.();
    };
    this.listen({ event }, signal);
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    while (!signal.aborted) {
      if (!fired) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      if (signal.aborted) return;
      fired = false;
      yield;
    }
  }

  /** The containers now, from the view once synced; while the engine is down, one listing (its error as the engine gives it). */
  async members(signal: AbortSignal): Promise<Member[]> {
    this.use(signal);
    if (!this.up && (this.syncs > 0 || this.down)) return this.listOnce(signal);
    if (!this.up) await new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    return [...this.view.values()];
  }

  /** The view as it is (empty before the first listing). */
  current(): Member[] {
    return [...this.view.values()];
  }

  /** Synced and subscribed now. */
  get synced(): boolean {
    return this.up;
  }

  private async listOnce(signal: AbortSignal): Promise<Member[]> {
    try {
      return (await listContainers(this.engine, { all: true }, signal)).map(memberFromListing);
    } catch (err) {
      throw toBerthError(this.engine, err, signal);
    }
  }

  private start(): void {
    const c = new AbortController();
    this.controller = c;
    void this.run(c.signal);
  }

  private stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.up = false;
    this.listing = false;
    this.held = [];
    this.generation++;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const filters: Record<string, string[]> = { type: ['container'], ...(this.allEvents ? {} : { event: MEMBERSHIP_ACTIONS }) };
    const onStatus = (s: WatcherStatus) => this.status(s);
    const onOpened = () => void this.relist(signal);
    // From the moment it was asked for: a consumer that listed on its own after asking misses nothing
    // that happened before the engine answered the subscription.
    const since = BigInt(Date.now()) * 1_000_000n;
    try {
      for await (const ev of watchEvents(this.engine, { since, filters, onStatus, onOpened }, signal)) {
        if (!this.listing) this.deliver(ev);
        else if (this.held.push(ev) > HELD_MAX) {
          this.held.shift();
          this.overflow = true;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      this.fail(err);
      // Not a connection loss (those are retried inside watchEvents): the next use starts again.
      if (this.controller?.signal === signal) this.controller = undefined;
    }
  }

  private status(s: WatcherStatus): void {
    if (s.kind === 'disconnected') {
      this.up = false;
      this.fail(new Error(s.error));
    }
    for (const l of this.listeners) l.status?.(s);
  }

  /** Rejects the callers waiting for the first listing: they list once themselves and get the engine's error. */
  private fail(err: unknown): void {
    this.down = true;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const gen = ++this.generation;
    this.listing = true;
    for (;;) {
      this.overflow = false;
      let listed: Member[];
      try {
        listed = (await listContainers(this.engine, { all: true }, signal)).map(memberFromListing);
      } catch (err) {
        if (signal.aborted || gen !== this.generation) return;
        this.fail(toBerthError(this.engine, err, signal));
        return; // the subscription drops too and reopens, listing again then
      }
      if (gen !== this.generation) return;
      if (this.overflow) continue;
      this.view = new Map(listed.map((m) => [m.id, m]));
      break;
    }
    this.listing = false;
    this.up = true;
    this.down = false;
    const first = this.syncs++ === 0;
    for (const ev of this.held.splice(0)) this.deliver(ev);
    for (const w of this.waiters.splice(0)) w.resolve();
    for (const l of this.listeners) l.synced?.(first);
  }

  private deliver(ev: EngineEvent): void {
    const action = ev.Action.split(':')[0]!;
    const member = MEMBERSHIP_ACTIONS.includes(action) ? applyEvent(this.view, ev) : this.view.get(ev.Actor?.ID ?? '');
    for (const l of this.listeners) l.event?.(ev, member);
  }
}
