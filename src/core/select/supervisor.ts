/**
 * The one selection supervisor. Given engines and a selection (names, ids,
 * --project, --filter (stopped ones too with `all`), all running), it yields per-target lifetimes keyed by
 * (engine, id):
 *
 * - `added`: a container of the selection, first the ones there at the start
 *   (`history: true`, then one `synced`), later those created (or first seen
 *   started) while following (`history: false`; one created while following
 *   is not running yet and all of its output is new, one first seen started
 *   may have lines from an earlier life), and those of an engine that answers
 *   late or after a resync (`history`);
 * - `started`: a known container that (re)started;
 * - `stopped`: it died;
 * - `removed`: it was destroyed (or a resync no longer finds it). This is the
 *   one place that says so on stderr: "container NAME (ID) was removed".
 *
 * Rules: a name resolves on whichever engine has it, "no such container"
 * (exit 4) only when none has it; an engine that does not answer is retried
 * (its events stream reconnects with backoff), never fatal; after an engine
 * (re)connects, its containers are listed again and the difference is
 * yielded (resync); containers created after the start and before `until`
 * are followed, and the lifetimes end at `until`; with `endWhenNamedGone`,
 * they end when every named container is removed (as `docker logs -f`).
 *
 * Events come from the engine's one watcher (engine-watcher.ts), listened to
 * before the first listing, so a container that starts between the two is
 * not missed; events about a container already known are applied by state
 * (start of a running one, die of a stopped one are no-ops), so a replay
 * or the engine's out-of-order delivery repeats nothing.
 *
 * Bounds: the lifetimes queue holds at most 1024 entries (past it, events
 * wait in this supervisor's chain: the shared watcher is never held up); the ids of removed containers are remembered (to ignore their
 * late events) up to GONE_MAX, oldest forgotten first.
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import { answered } from '../engine/connect.js';
import { listContainers } from '../engine/containers.js';
import { bareName, groupInfo } from '../engine/labels.js';
import { inspectTarget, listOn, listTargets, selectionFilters, type Selection, type Target } from '../engine/select.js';
import type { EngineEvent } from '../events/source.js';
import { statusLine, type WatcherStatus } from '../events/watcher.js';
import { EngineWatcher } from './engine-watcher.js';
import { BerthError } from '../errors.js';
import { linkedController } from '../stream/abort.js';
import { BoundedQueue } from '../stream/queue.js';
import { labelsOf, matchAttributes } from './match.js';

export type Lifetime =
  { kind: 'added'; target: Target; history: boolean } | { kind: 'started'; target: Target } | { kind: 'stopped'; target: Target } | { kind: 'removed'; target: Target } | { kind: 'synced' };

export interface SupervisorOptions {
  /** One line on stderr. */
  warn: (message: string) => void;
  /** Follow containers created before this time (ns), and end then. */
  until?: bigint;
  /** A selection of names ends when every named container was removed. */
  endWhenNamedGone?: boolean;
  /** Added to the removal line, e.g. "its logs end here". */
  removalNote?: string;
  /** Engine connection changes (topology's engineUp). */
  onEngine?: (engine: Engine, up: boolean) => void;
  /** Print the engine's connection changes on stderr (default true; topology prints its own). */
  statusLines?: boolean;
  /** Reconnect lines say what resumes, e.g. "resuming each container's logs from the last line printed". */
  resumeNote?: string;
  /** The first containers in the order of the names given (or the engine's), not by name (listTargets' `byName`). */
  unordered?: boolean;
}

export const GONE_MAX = 4096;
const EVENTS = ['create', 'start', 'die', 'destroy'];

interface Member {
  target: Target;
  running: boolean;
  named: boolean;
}

const keyOf = (engine: Engine, id: string) => `${engine.name}\u0000${id}`;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export class Supervisor {
  private readonly known = new Map<string, Member>();
  private readonly gone = new Set<string>();
  private readonly queue = new BoundedQueue<Lifetime>(1024);
  private readonly several: boolean;
  private ended = false;

  constructor(
    private readonly engines: Engine[],
    private readonly sel: Selection,
    private readonly opts: SupervisorOptions,
  ) {
    this.several = engines.length > 1;
  }

  /** The lifetimes, until the signal aborts, `until` passes, or (names) all are gone. Throws NOT_FOUND at the start. */
  async *lifetimes(signal: AbortSignal): AsyncGenerator<Lifetime> {
    const { controller, dispose } = linkedController(signal);
    const inner = controller.signal;
    setMaxListeners(0, inner);
    inner.addEventListener('abort', () => this.queue.close(), { once: true });
    try {
      let first!: () => void;
      const listed = new Promise<void>((resolve) => (first = resolve));
      const watchers = this.engines.map((e) => this.watch(e, listed, inner));
      try {
        for (const target of await listTargets(this.engines, this.sel, inner, { byName: !this.opts.unordered })) this.add(target, true, true);
      } finally {
        first();
      }
      void this.queue.push({ kind: 'synced' });
      this.endIfNamedGone();
      void Promise.allSettled(watchers).then(() => this.end());
      yield* this.queue;
    } finally {
      controller.abort();
      dispose();
    }
  }

  /** The targets followed now. */
  targets(): Target[] {
    return [...this.known.values()].map((m) => m.target);
  }

  private end(): void {
    this.ended = true;
    this.queue.close();
  }

  private add(target: Target, history: boolean, named = false): Promise<void> | undefined {
    const key = keyOf(target.engine, target.id);
    if (this.known.has(key) || this.gone.has(key)) return undefined;
    this.known.set(key, { target, running: target.running, named: named && this.sel.names.length > 0 });
    return this.queue.push({ kind: 'added', target, history });
  }

  private remove(m: Member): Promise<void> | undefined {
    const t = m.target;
    const key = keyOf(t.engine, t.id);
    this.known.delete(key);
    this.gone.add(key);
    if (this.gone.size > GONE_MAX) this.gone.delete(this.gone.values().next().value!);
    // A swarm task says its node even when only the manager's engine is read; otherwise the engine, when several.
    const where = t.node !== undefined ? ` on ${t.node}` : this.several ? ` on ${t.engine.name}` : '';
    this.opts.warn(`container ${t.name} (${t.id.slice(0, 12)})${where} was removed${this.opts.removalNote ? `; ${this.opts.removalNote}` : ''}`);
    const wait = this.queue.push({ kind: 'removed', target: t });
    this.endIfNamedGone();
    return wait;
  }

  private endIfNamedGone(): void {
    if (!this.opts.endWhenNamedGone || !this.sel.names.length || this.ended) return;
    if (this.engines.some((e) => !answered(e))) return; // a name may yet be found there
    if ([...this.known.values()].some((m) => m.named)) return;
    this.end();
  }

  /**
   * One engine: its container events from the engine's one watcher (which reconnects as long as it takes),
   * with a resync on every reconnect. Listens before the first listing (`listed` resolves after it): events
   * met meanwhile wait for it, then apply by state. Resolves at `until` or when the signal aborts.
   */
  private watch(engine: Engine, listed: Promise<unknown>, signal: AbortSignal): Promise<void> {
    let chain: Promise<unknown> = listed.catch(() => {});
    const serial = (fn: () => Promise<unknown>) => (chain = chain.then(fn).catch((err) => this.failed(engine, err, signal)));
    const late = !answered(engine);
    const watcher = EngineWatcher.of(engine);
    const until = this.opts.until;
    const event = (ev: EngineEvent) => {
      if (until !== undefined && ev.nanos > until) return;
      if (EVENTS.includes(ev.Action)) void serial(() => this.apply(engine, ev, signal));
    };
    const synced = (first: boolean) => {
      this.opts.onEngine?.(engine, true);
      if (first && late) this.opts.warn(`the engine at ${engine.endpoint.host} answered; following its containers`);
      if (!first || late) void serial(() => this.resync(engine, signal));
    };
    const status = (s: WatcherStatus) => this.status(engine, s, late && !answered(engine));
    watcher.listen({ event, synced, status }, signal);
    if (watcher.synced) this.opts.onEngine?.(engine, true);
    return new Promise<void>((resolve) => {
      const done = () => void chain.then(() => resolve());
      if (signal.aborted) return done();
      signal.addEventListener('abort', done, { once: true });
      if (until !== undefined) setTimeout(done, Math.max(0, Number((until - nowNs()) / 1_000_000n))).unref();
    });
  }

  private failed(engine: Engine, err: unknown, signal: AbortSignal): void {
    if (!signal.aborted) this.opts.warn(`following containers${this.several ? ` on ${engine.name}` : ''}: ${(err as Error).message}`);
  }

  private status(engine: Engine, s: WatcherStatus, neverAnswered: boolean): void {
    if (s.kind === 'disconnected') this.opts.onEngine?.(engine, false);
    if (neverAnswered || this.opts.statusLines === false) return; // said once when connecting: retried quietly until it answers
    this.opts.warn(statusLine(s, { what: 'the engine', ...(this.several ? { engine: engine.name } : {}), ...(this.opts.resumeNote ? { onBack: this.opts.resumeNote } : {}) }));
  }

  private async apply(engine: Engine, ev: EngineEvent, signal: AbortSignal): Promise<void> {
    const id = ev.Actor?.ID;
    if (!id) return;
    const key = keyOf(engine, id);
    if (this.gone.has(key)) return;
    const m = this.known.get(key);
    switch (ev.Action) {
      case 'create':
      case 'start': {
        const running = ev.Action === 'start';
        if (m) {
          if (!running || m.running) return;
          m.running = m.target.running = true;
          return this.queue.push({ kind: 'started', target: m.target });
        }
        if (this.sel.names.length || !(await this.matches(engine, ev, signal))) return;
        return this.add(this.targetOf(engine, ev, running), false);
      }
      case 'die':
        if (!m || !m.running) return;
        m.running = m.target.running = false;
        return this.queue.push({ kind: 'stopped', target: m.target });
      case 'destroy':
        if (m) return this.remove(m);
    }
  }

  private async matches(engine: Engine, ev: EngineEvent, signal: AbortSignal): Promise<boolean> {
    // A status filter is answered by the event itself: the container was running at its start (created at its
    // create), however soon it exits after. Asking the engine instead missed a container that started, wrote
    // and exited before the listing by id (--filter status=running).
    const { status, ...rest } = this.sel.filters ?? {};
    if (status?.length && !status.includes(ev.Action === 'start' ? 'running' : 'created')) return false;
    const sel = status ? { ...this.sel, filters: rest } : this.sel;
    const local = matchAttributes(sel, ev.Actor.ID, ev.Actor.Attributes ?? {});
    if (local !== undefined) return local;
    const filters = { ...selectionFilters(sel), id: [ev.Actor.ID] };
    return (await listContainers(engine, { all: true, filters }, signal).catch(() => [])).length > 0;
  }

  private targetOf(engine: Engine, ev: EngineEvent, running: boolean): Target {
    const attrs = ev.Actor.Attributes ?? {};
    const labels = labelsOf(attrs);
    return { engine, id: ev.Actor.ID, name: bareName(attrs.name) ?? ev.Actor.ID.slice(0, 12), ...groupInfo(labels, engine.swarmNode), tty: false, running, labels };
  }

  /** After a (re)connect: what the engine has now against what we know of it. */
  private async resync(engine: Engine, signal: AbortSignal): Promise<void> {
    const now = await this.current(engine, signal);
    const ids = new Set(now.map((t) => t.id));
    for (const m of [...this.known.values()]) {
      if (m.target.engine === engine && !ids.has(m.target.id)) await this.remove(m);
    }
    for (const t of now) {
      const m = this.known.get(keyOf(engine, t.id));
      if (!m) {
        if (t.running || this.sel.all || this.sel.names.length) await this.add(t, true, true);
      } else if (m.running !== t.running) {
        m.running = m.target.running = t.running;
        await this.queue.push({ kind: t.running ? 'started' : 'stopped', target: m.target });
      }
    }
    this.endIfNamedGone();
  }

  private async current(engine: Engine, signal: AbortSignal): Promise<Target[]> {
    if (!this.sel.names.length) return listOn(engine, { ...this.sel, all: true }, signal);
    const out: Target[] = [];
    for (const n of this.sel.names) {
      try {
        out.push(await inspectTarget(engine, n, signal));
      } catch (err) {
        if (!(err instanceof BerthError && err.code === 'NOT_FOUND')) throw err;
      }
    }
    return out;
  }
}
