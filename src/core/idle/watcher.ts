/**
 * watch-idle: puts managed containers to sleep when idle. Each round (tick)
 * takes one list of all containers (so a container started or stopped by
 * someone else is tracked, and its idle timer armed), reads the managed awake
 * ones' counters, and stops what has been idle for its timeout, unless an
 * awake container depends on it (reference counting) or its busy check says
 * busy. Dependents are judged before their dependencies, so an app and the
 * database only it used sleep in the same round.
 *
 * `run` repeats rounds every `intervalMs`, sooner when the engine reports a
 * container event; an engine that goes away is waited for (one line on
 * stderr), and when it is back the state is re-read and the timers re-armed
 * from the last activity known. A stop once begun is finished, whatever the
 * signal; the signal is checked before each new one.
 */
import type { Engine } from '../engine/engine.js';
import { BerthError } from '../errors.js';
import { watchEvents } from '../events/watcher.js';
import { ActivityClock, readCounters, type Counters } from './activity.js';
import { checkBusy } from './busy.js';
import type { ConfigFile } from './config-file.js';
import type { IdleConfig } from './config.js';
import { awakeDependents } from './deps.js';
import { ContainerProvider } from './provider.js';
import { fmtMs } from './readiness.js';
import { StateTable, type IdleInput } from './state-machine.js';
import type { IdleRecord } from './types.js';
import { buildView, listAll, type Seen, type View } from './view.js';
import { Kicker } from './kicker.js';

export interface WatchIdleOptions {
  engine: Engine;
  file?: ConfigFile;
  names?: string[];
  /** Idle timeout for managed containers without berth.idle.timeout (those named). */
  defaultTimeoutMs?: number;
  intervalMs: number;
  dryRun?: boolean;
  emit: (r: IdleRecord) => void | Promise<void>;
  warn: (message: string) => void;
  /** Print only berth's own actions, not what it finds (for --once). */
  actionsOnly?: boolean;
  now?: () => number;
}

export interface ClockState {
  name: string;
  lastActivity: number;
  last?: Counters;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class IdleWatcher {
  readonly states: StateTable;
  private readonly clocks = new Map<string, ActivityClock>();
  private readonly names = new Map<string, string>();
  private readonly kept = new Map<string, string>();
  private readonly warned = new Set<string>();
  private readonly provider: ContainerProvider;
  private readonly now: () => number;
  private engineDown = false;
  /** Ids of the managed containers awake at the end of the last round. */
  private awakeIds = new Set<string>();

  constructor(private readonly o: WatchIdleOptions) {
    this.now = o.now ?? Date.now;
    this.states = new StateTable(() => iso(this.now()));
    this.provider = new ContainerProvider(o.engine);
  }

  /**
   * Activity clocks of the containers awake after the last round, by id, for
   * the --once state file (a container asleep now starts a fresh clock when
   * it wakes).
   */
  snapshot(): Record<string, ClockState> {
    const out: Record<string, ClockState> = {};
    for (const [id, c] of this.clocks) if (this.awakeIds.has(id)) out[id] = { name: this.names.get(id) ?? id, lastActivity: c.lastActivity, ...(c.last ? { last: c.last } : {}) };
    return out;
  }

  restore(saved: Record<string, ClockState>): void {
    for (const [id, s] of Object.entries(saved)) {
      const c = new ActivityClock(s.lastActivity);
      if (s.last) c.observe(s.last, Infinity);
      c.lastActivity = s.lastActivity;
      this.clocks.set(id, c);
      this.names.set(id, s.name);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const kick = new Kicker();
    const events = this.followEvents(kick, signal);
    while (!signal.aborted) {
      const t0 = this.now();
      await this.tickSafe(signal);
      await kick.wait(Math.max(200, this.o.intervalMs - (this.now() - t0)), signal);
    }
    await events;
  }

  private async followEvents(kick: Kicker, signal: AbortSignal): Promise<void> {
    try {
      const filters = { type: ['container'], event: ['start', 'die', 'pause', 'unpause'] };
      for await (const _ of watchEvents(this.o.engine, { filters }, signal)) kick.fire();
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
      if (!this.warned.has(msg)) this.o.warn(msg);
      this.warned.add(msg);
    }
  }

  async tick(signal: AbortSignal): Promise<void> {
    const view = buildView(await listAll(this.o.engine, signal), this.o.file, this.o.names, this.o.defaultTimeoutMs);
    this.prune(view);
    this.reportErrors(view);
    for (const [name, m] of view.managed) await this.observe(name, m.seen);
    const awake = [...view.managed.values()].filter((m) => m.seen.awake);
    const counters = await Promise.all(awake.map((m) => readCounters(this.o.engine, m.seen.id, signal, this.now).catch(() => undefined)));
    awake.forEach((m, i) => {
      const c = counters[i];
      if (c) this.clock(m.seen).observe(c, m.config.minBytes);
    });
    const stopped = new Set<string>();
    for (const name of dependentsFirst(view)) {
      if (signal.aborted) return;
      const m = view.managed.get(name)!;
      if (m.seen.awake && (await this.judge(view, m.seen, m.config))) stopped.add(m.seen.id);
    }
    this.awakeIds = new Set(awake.map((m) => m.seen.id).filter((id) => !stopped.has(id)));
  }

  /** Forgets containers that are gone or no longer managed, so memory stays flat over months of churn. */
  private prune(view: View): void {
    const ids = new Set([...view.managed.values()].map((m) => m.seen.id));
    for (const id of this.clocks.keys()) if (!ids.has(id)) (this.clocks.delete(id), this.names.delete(id));
    for (const name of this.kept.keys()) if (!view.managed.has(name)) this.kept.delete(name);
    for (const name of this.states.names()) if (!view.managed.has(name)) this.states.forget(name);
    if (this.warned.size > 1000) this.warned.clear();
  }

  private clock(s: Seen): ActivityClock {
    let c = this.clocks.get(s.id);
    if (!c) this.clocks.set(s.id, (c = new ActivityClock(this.now())));
    this.names.set(s.id, s.name);
    return c;
  }

  private async observe(name: string, s: Seen): Promise<void> {
    const from = this.states.get(name);
    const input: IdleInput = { kind: 'observe', awake: s.awake };
    const reason =
      from === 'unknown'
        ? `found ${s.awake ? 'running' : s.paused ? 'paused' : 'stopped'} (${s.status})`
        : s.awake
          ? from === 'error'
            ? `running (${s.status})`
            : `started outside this watcher (${s.status})`
          : `${s.paused ? 'paused' : 'stopped'} outside this watcher (${s.status})`;
    const rec = this.states.apply(name, input, reason, { id: s.id });
    if (!rec) return;
    if (s.awake && from !== 'unknown') {
      this.clock(s).touch(this.now());
      this.clock(s).last = undefined;
    }
    if (!this.o.actionsOnly) await this.o.emit(rec);
  }

  /** Judges an awake container; true when it was put to sleep. */
  private async judge(view: View, s: Seen, cfg: IdleConfig): Promise<boolean> {
    const clock = this.clock(s);
    const idle = clock.idleFor(this.now());
    if (cfg.timeoutMs === 0 || idle < cfg.timeoutMs) return (this.kept.delete(s.name), false);
    const users = awakeDependents(s.name, view.all.keys(), (n) => view.deps.get(n) ?? [], (n) => !!view.all.get(n)?.awake);
    if (users.length) return this.keep(s, `idle for ${fmtMs(roundS(idle))} but in use by ${users.join(', ')} (awake dependents)`);
    const busy = cfg.busy ? await checkBusy(this.o.engine, s.id, cfg.busy, clock) : undefined;
    if (busy?.busy) return this.keep(s, `idle for ${fmtMs(roundS(idle))} but ${busy.why}; not stopped`);
    const reason = `idle for ${fmtMs(roundS(idle))} (network <= ${cfg.minBytes} B per reading, timeout ${fmtMs(cfg.timeoutMs)})${busy ? `; ${busy.why}` : ''}`;
    if (this.o.dryRun) {
      // Judge its dependencies as if it had stopped (view only; it stays awake for the state file).
      s.awake = false;
      return this.keep(s, `${reason}; dry run: would ${cfg.stopMethod}`, 'would_stop');
    }
    const slept = await this.sleepNow(s, cfg, reason);
    if (slept) s.awake = false;
    return slept;
  }

  /** Reports a decision not to stop (once per reason); false: nothing was stopped. */
  private async keep(s: Seen, reason: string, action: 'keep' | 'would_stop' = 'keep'): Promise<false> {
    const key = reason.replace(/idle for [\d.]+s/, '');
    if (this.kept.get(s.name) === key) return false;
    this.kept.set(s.name, key);
    const state = this.states.get(s.name);
    const to = action === 'would_stop' ? 'napping' : state === 'unknown' ? 'ready' : state;
    await this.o.emit({ type: 'idle', ts: iso(this.now()), container: s.name, id: s.id, from: state, to, reason, action });
    return false;
  }

  /** Stops it; false when the engine refused (then it is in `error`, and tried again after another timeout). */
  private async sleepNow(s: Seen, cfg: IdleConfig, reason: string): Promise<boolean> {
    this.kept.delete(s.name);
    try {
      await this.provider.stop(s.id, cfg.stopMethod, { ...(cfg.stopSignal ? { signal: cfg.stopSignal } : {}), ...(cfg.stopTimeoutSec !== undefined ? { timeoutSec: cfg.stopTimeoutSec } : {}) });
    } catch (err) {
      const rec = this.states.apply(s.name, { kind: 'fail' }, `could not ${cfg.stopMethod}: ${(err as Error).message}`, { id: s.id });
      if (rec) await this.o.emit(rec);
      this.clock(s).touch(this.now());
      return false;
    }
    const rec = this.states.apply(s.name, { kind: 'sleep' }, reason, { id: s.id, action: cfg.stopMethod });
    if (rec) await this.o.emit(rec);
    return true;
  }

  private reportErrors(view: View): void {
    for (const [name, msg] of view.errors) {
      if (this.warned.has(msg)) continue;
      this.warned.add(msg);
      this.o.warn(`${msg}; ${name} is not managed until this is fixed`);
    }
    for (const [name, m] of view.managed) {
      const key = `no timeout ${name}`;
      if (m.config.timeoutMs > 0 || m.config.managed || this.warned.has(key)) continue;
      this.warned.add(key);
      this.o.warn(`${name} has no berth.idle.timeout and watch-idle has no --timeout: it is tracked but never stopped`);
    }
    for (const n of this.o.names ?? []) {
      const key = `missing ${n}`;
      if (view.all.has(n) || [...view.all.values()].some((s) => s.id.startsWith(n)) || this.warned.has(key)) continue;
      this.warned.add(key);
      this.o.warn(`no such container: ${n}; it is managed from when it exists`);
    }
  }
}

const roundS = (ms: number) => Math.round(ms / 100) * 100;

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
