/**
 * The lifecycle owner of managed containers, used by `watch-idle` and by
 * `serve` (which feeds it the activity it sees: requests, streams, WebSockets,
 * TCP connections). Each round (tick) takes one list of all containers (so a
 * container started or stopped by someone else is tracked, and its idle
 * timer armed), reads the managed awake ones' counters, and puts to sleep
 * what has been idle for its timeout, unless an awake container depends on it
 * (reference counting: a dependency sleeps only after it has had no awake
 * dependent for its own timeout) or its busy check says busy.
 *
 * Its parts, one concern each:
 * - owner-clocks.ts: activity clocks and reference counting (how long idle);
 * - owner-judge.ts: the judgement of an awake container; every stop is
 *   decided on a fresh reading taken just before acting (listing, counters,
 *   open connections to its listening ports);
 * - owner-claims.ts: cross-process ownership (a container another berth
 *   process manages, claims.ts, is never stopped here);
 * - owner-stops.ts: stops, begun by a round and finished in the background;
 * - owner-report.ts: `keep` records and warnings, each said once.
 * This file holds the round: the look at the engine, the transitions it
 * observes, the order of judgement (dependents first).
 *
 * `run` repeats rounds every `intervalMs`, sooner when the engine reports a
 * container event; an engine that goes away is waited for (one line on
 * stderr), and when it is back the state is re-read and the timers re-armed
 * from the last activity known. A stop once begun is finished, whatever the
 * signal; the signal is checked before each new one.
 */
import { BerthError } from '../errors.js';
import { fmtMs } from './readiness.js';
import { StateTable, type IdleInput } from './state-machine.js';
import type { Provider } from './types.js';
import { buildView, type Seen, type View } from './listing.js';
import { Kicker } from './kicker.js';
import { closure } from './deps.js';
import { OwnerClaims } from './owner-claims.js';
import { OwnerClocks, type ClockState } from './owner-clocks.js';
import { OwnerJudge } from './owner-judge.js';
import type { LifecycleOwnerOptions } from './owner-options.js';
import { OwnerReport } from './owner-report.js';
import { OwnerStops } from './owner-stops.js';

export type { ClockState } from './owner-clocks.js';
export type { LifecycleOwnerOptions } from './owner-options.js';

const iso = (ms: number) => new Date(ms).toISOString();

export class LifecycleOwner {
  readonly states: StateTable;
  private readonly provider: Provider;
  private readonly now: () => number;
  private readonly clocks: OwnerClocks;
  private readonly claims: OwnerClaims;
  private readonly report: OwnerReport;
  private readonly stops: OwnerStops;
  private readonly judging: OwnerJudge;
  /** When the engine was last listed (ms); a reading older than `freshMs` is taken again before a stop. */
  private listedAt = 0;
  private lastView: View | undefined;
  private engineDown = false;
  /** Ids of the managed containers awake at the end of the last round. */
  private awakeIds = new Set<string>();

  constructor(private readonly o: LifecycleOwnerOptions) {
    this.now = o.now ?? Date.now;
    this.states = new StateTable(() => iso(this.now()));
    this.provider = o.provider;
    this.clocks = new OwnerClocks(o, this.now);
    this.claims = new OwnerClaims(o);
    this.report = new OwnerReport(o, this.states, this.now);
    this.stops = new OwnerStops(o, this.provider, this.states, this.clocks, this.report, this.now, (s) => {
      if (this.lastView) this.clocks.dependentStopped(this.lastView, s.name);
    });
    this.judging = new OwnerJudge({
      o,
      provider: this.provider,
      now: this.now,
      clocks: this.clocks,
      claims: this.claims,
      report: this.report,
      stops: this.stops,
      look: (signal) => this.look(signal),
      lastLook: () => ({ at: this.listedAt, view: this.lastView }),
    });
  }

  /**
   * Activity clocks of the containers awake after the last round, by id, for
   * the --once state file (a container asleep now starts a fresh clock when
   * it wakes).
   */
  snapshot(): Record<string, ClockState> {
    return this.clocks.snapshot(this.awakeIds);
  }

  restore(saved: Record<string, ClockState>): void {
    this.clocks.restore(saved);
  }

  async run(signal: AbortSignal): Promise<void> {
    const kick = new Kicker();
    const events = this.followEvents(kick, signal);
    while (!signal.aborted) {
      const t0 = this.now();
      await this.tickSafe(signal);
      await kick.wait(Math.max(200, this.o.intervalMs - (this.now() - t0)), signal);
    }
    await this.settle();
    await events;
  }

  private async followEvents(kick: Kicker, signal: AbortSignal): Promise<void> {
    try {
      for await (const _ of this.provider.changes(signal)) kick.fire();
    } catch {
      // the ticks report an unreachable engine; events only make rounds sooner
    }
  }

  /** One round; engine outages are reported once and waited out. */
  async tickSafe(signal: AbortSignal): Promise<void> {
    try {
      await this.tick(signal);
      if (this.engineDown) this.o.warn('the engine is back; re-read every container and re-armed the idle timers from the last activity seen');
      this.engineDown = false;
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof BerthError && err.code === 'ENGINE_UNREACHABLE') {
        if (!this.engineDown) this.o.warn(`${err.message}; retrying every ${fmtMs(this.o.intervalMs)}`);
        this.engineDown = true;
        return;
      }
      // Anything else (an engine error while it shuts down, say) skips this round; a daemon keeps going.
      const msg = `a round failed: ${(err as Error)?.message ?? String(err)}; retrying`;
      this.report.warnOnce(msg, msg);
    }
  }

  /** One look at the engine: every container, which are managed, their config and dependencies. */
  async look(signal?: AbortSignal): Promise<View> {
    const seen = await this.provider.list(signal);
    this.listedAt = this.now();
    const names = typeof this.o.names === 'function' ? this.o.names() : this.o.names;
    const view = buildView(seen, this.o.file, names, this.o.defaultTimeoutMs);
    const all = this.o.withDeps && names ? closure(names, (n) => view.deps.get(n) ?? []) : [];
    this.lastView = names && all.length > names.length ? buildView(seen, this.o.file, all, this.o.defaultTimeoutMs) : view;
    return this.lastView;
  }

  async tick(signal: AbortSignal): Promise<void> {
    const view = await this.look(signal);
    this.prune(view);
    this.report.reportErrors(view);
    this.claims.claim(view);
    // A container being stopped is this process's to report (its stop record), not an outside change;
    // and it is not judged this round even if its stop ends meanwhile: every judgement follows an
    // observation of the same listing (else a container woken by someone else just after our stop
    // would be stopped again without its wake being seen).
    const unseen = new Set<string>();
    for (const [name, m] of view.managed) {
      if (this.stops.has(m.seen.id)) unseen.add(m.seen.id);
      else await this.observe(name, m.seen);
    }
    this.clocks.noteUse(view);
    const awake = [...view.managed.values()].filter((m) => m.seen.awake);
    const read = awake.filter((m) => !unseen.has(m.seen.id) && this.clocks.readsCounters(m.seen.name, m.config));
    const counters = await Promise.all(read.map((m) => this.provider.counters(m.seen.id, signal, this.now).catch(() => undefined)));
    read.forEach((m, i) => {
      const c = counters[i];
      if (c) this.clocks.clock(m.seen).observe(c, this.clocks.minBytes(m.seen.name, m.config));
    });
    const stopped = new Set<string>();
    for (const name of dependentsFirst(view)) {
      if (signal.aborted) return;
      const m = view.managed.get(name)!;
      if (m.seen.awake && !unseen.has(m.seen.id) && !this.stops.has(m.seen.id) && (await this.judging.judge(view, m.seen, m.config, signal))) stopped.add(m.seen.id);
    }
    this.awakeIds = new Set(awake.map((m) => m.seen.id).filter((id) => !stopped.has(id)));
  }

  /** Releases every claim of this process (at its end). */
  release(): void {
    this.claims.release();
  }

  /** Forgets containers that are gone or no longer managed, so memory stays flat over months of churn. */
  private prune(view: View): void {
    const ids = new Set([...view.managed.values()].map((m) => m.seen.id));
    this.clocks.prune(ids);
    this.claims.prune(ids);
    this.report.prune(view.managed);
    for (const name of this.states.names()) if (!view.managed.has(name)) this.states.forget(name);
  }

  private async observe(name: string, s: Seen): Promise<void> {
    // Its idle time counts from when it was first seen awake, even if nothing reads its counters
    // (a fronted route): a clock made later, at the first question, would start late.
    if (s.awake) this.clocks.clock(s);
    const from = this.states.get(name);
    const input: IdleInput = { kind: 'observe', awake: s.awake };
    // A start this owner sees now: was it a wake of this process (its note is taken once)?
    const here = s.awake && from !== 'ready' && from !== 'starting' ? this.o.startedHere?.(name) : undefined;
    // A wake of this process is said as such even when no round saw the unit asleep before it (made just then).
    const reason =
      here !== undefined
        ? `${here} (${s.status})`
        : from === 'unknown'
          ? `found ${s.awake ? 'running' : s.paused ? 'paused' : 'stopped'} (${s.status})`
          : s.awake
            ? from === 'error'
              ? `running (${s.status})`
              : `${here ?? 'started outside this watcher'} (${s.status})`
            : `${s.paused ? 'paused' : 'stopped'} outside this watcher (${s.status})`;
    const rec = this.states.apply(name, input, reason, { id: s.id });
    if (!rec) return;
    if (s.awake && from !== 'unknown') {
      this.clocks.clock(s).touch(this.now());
      this.clocks.clock(s).last = undefined;
    }
    if (!this.o.actionsOnly && !this.o.fronted?.(name)) await this.o.emit(rec);
  }

  /** Waits for the stops begun (a stop once begun is finished, and its record printed). */
  settle(): Promise<void> {
    return this.stops.settle();
  }
}

/** Managed names ordered so that a container comes before everything it depends on. */
export function dependentsFirst(view: Pick<View, 'managed' | 'deps'>): string[] {
  const count = new Map<string, number>();
  const names = [...view.managed.keys()].sort();
  for (const n of names) count.set(n, 0);
  for (const from of view.deps.keys()) {
    const seen = new Set<string>();
    const stack = [...(view.deps.get(from) ?? [])];
    while (stack.length) {
      const d = stack.pop()!;
      if (seen.has(d) || d === from) continue;
      seen.add(d);
      if (count.has(d)) count.set(d, count.get(d)! + 1);
      stack.push(...(view.deps.get(d) ?? []));
    }
  }
  return names.sort((a, b) => count.get(a)! - count.get(b)! || a.localeCompare(b));
}
