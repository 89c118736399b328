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
 * Every stop is decided on a fresh reading taken just before acting: the
 * engine is listed again and the candidate's counters re-read, because the
 * round's readings may be many seconds old by then (a stop before it that
 * took 10 s, say). Part of that look: the established connections to its
 * listening ports (connections.ts), unless `berth.idle.connections=ignore`.
 * One open is activity (its clock touched, one keep record per reason); the
 * stop record says what was checked ("no open connections", or "connections
 * not checked (why)" when they could not be read: it is then stopped on its
 * traffic alone, and a warning says so once). A container another berth
 * process manages (claims.ts) is never stopped here.
 *
 * `run` repeats rounds every `intervalMs`, sooner when the engine reports a
 * container event; an engine that goes away is waited for (one line on
 * stderr), and when it is back the state is re-read and the timers re-armed
 * from the last activity known. A stop once begun is finished, whatever the
 * signal; the signal is checked before each new one.
 */
import { BerthError } from '../errors.js';
import { ActivityClock, type Counters } from './counters.js';
import { checkBusy } from './busy.js';
import type { ConfigFile } from './config-file.js';
import type { IdleConfig } from './config.js';
import { awakeDependents } from './deps.js';
import { fmtMs } from './readiness.js';
import { StateTable, type IdleInput } from './state-machine.js';
import type { IdleRecord, Provider } from './types.js';
import { buildView, type Seen, type View } from './listing.js';
import { Kicker } from './kicker.js';
import { deferMessage, type Claims } from './claims.js';
import { closure } from './deps.js';
import { CONNECTIONS_LABEL, connectionsVerdict } from './connections.js';

export interface LifecycleOwnerOptions {
  /** Every listing, counter reading, busy check, change feed and stop goes through it: the watcher never calls an engine itself. */
  provider: Provider;
  file?: ConfigFile;
  /** Manage only these (a function: asked every round); default: every container with berth.idle.timeout. */
  names?: string[] | (() => string[]);
  /** Idle timeout for managed containers without berth.idle.timeout (those named). */
  defaultTimeoutMs?: number;
  intervalMs: number;
  dryRun?: boolean;
  emit: (r: IdleRecord) => void | Promise<void>;
  warn: (message: string) => void;
  /** Print only berth's own actions, not what it finds (for --once). */
  actionsOnly?: boolean;
  now?: () => number;
  /** Also manage every dependency (transitively) of the managed containers (serve: the dependencies its wakes start). */
  withDeps?: boolean;
  /** Running inside serve: no advice about flags watch-idle has. */
  embedded?: boolean;
  /** Activity this process sees beside the counters (serve's requests, streams, connections); `last` in ms, 0 = none. */
  activity?: (name: string) => { inflight: number; last: number } | undefined;
  /**
   * Puts a container to sleep when the caller owns its stop (serve, for its
   * routes): resolves true when it slept. Undefined: the watcher stops it.
   */
  sleep?: (name: string, cfg: IdleConfig, reason: string) => Promise<boolean> | undefined;
  /**
   * Containers the caller fronts (serve's routes): it reports their
   * transitions itself, and all their traffic passes through it, so their
   * network counters are not activity (a proxied health check would keep
   * them awake); only the caller's `activity` and their dependents count.
   */
  fronted?: (name: string) => boolean;
  /**
   * Fronted containers whose bytes another proxy also carries (serve's gate routes: the user's nginx
   * or Caddy carries a WebSocket or a download after one question to the gate): their network
   * counters are activity again, as for a container nobody fronts.
   */
  carried?: (name: string) => boolean;
  /** Cross-process ownership; without it, this process assumes it is alone. */
  claims?: Claims;
  /**
   * Why a unit seen awake again was started, when this process started it (serve: a wake of its own,
   * WakePath.startedBy), e.g. "woken by this serve (dependency of app)"; asked once per start seen.
   * Undefined: it was started outside this watcher.
   */
  startedHere?: (name: string) => string | undefined;
  /**
   * A connection's peer (ip, port) that is one of this process's own sockets (serve's upstream pool and
   * proxied connections): not counted as an open connection (serve counts its own traffic as activity;
   * an idle pooled socket is not use).
   */
  ownPeer?: (ip: string, port: number) => boolean;
}

export interface ClockState {
  name: string;
  lastActivity: number;
  last?: Counters;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class LifecycleOwner {
  readonly states: StateTable;
  private readonly clocks = new Map<string, ActivityClock>();
  private readonly names = new Map<string, string>();
  private readonly kept = new Map<string, string>();
  /** By name: the clock time an open connection set (a keep for it is not re-reported while nothing else moved the clock). */
  private readonly heldAt = new Map<string, number>();
  /** Last time a managed container was seen with an awake dependent (ms), by id. */
  private readonly usedAt = new Map<string, number>();
  /** When the engine was last listed (ms); a reading older than `freshMs` is taken again before a stop. */
  private listedAt = 0;
  private lastView: View | undefined;
  private get freshMs(): number {
    return Math.min(1000, this.o.intervalMs);
  }
  /** Stops begun and not yet finished, by id: a round does not wait for them (a slow stop delays no other decision). */
  private readonly stopping = new Map<string, Promise<boolean>>();
  /** Ids this process defers to another's claim on. */
  private readonly deferred = new Set<string>();
  private readonly warned = new Set<string>();
  private readonly provider: Provider;
  private readonly now: () => number;
  private engineDown = false;
  /** Ids of the managed containers awake at the end of the last round. */
  private awakeIds = new Set<string>();

  constructor(private readonly o: LifecycleOwnerOptions) {
    this.now = o.now ?? Date.now;
    this.states = new StateTable(() => iso(this.now()));
    this.provider = o.provider;
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
      if (!this.warned.has(msg)) this.o.warn(msg);
      this.warned.add(msg);
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
    this.reportErrors(view);
    this.claim(view);
    // A container being stopped is this process's to report (its stop record), not an outside change;
    // and it is not judged this round even if its stop ends meanwhile: every judgement follows an
    // observation of the same listing (else a container woken by someone else just after our stop
    // would be stopped again without its wake being seen).
    const unseen = new Set<string>();
    for (const [name, m] of view.managed) {
      if (this.stopping.has(m.seen.id)) unseen.add(m.seen.id);
      else await this.observe(name, m.seen);
    }
    this.noteUse(view);
    const awake = [...view.managed.values()].filter((m) => m.seen.awake);
    const read = awake.filter((m) => !unseen.has(m.seen.id) && this.readsCounters(m.seen.name, m.config));
    const counters = await Promise.all(read.map((m) => this.provider.counters(m.seen.id, signal, this.now).catch(() => undefined)));
    read.forEach((m, i) => {
      const c = counters[i];
      if (c) this.clock(m.seen).observe(c, this.minBytes(m.seen.name, m.config));
    });
    const stopped = new Set<string>();
    for (const name of dependentsFirst(view)) {
      if (signal.aborted) return;
      const m = view.managed.get(name)!;
      if (m.seen.awake && !unseen.has(m.seen.id) && !this.stopping.has(m.seen.id) && (await this.judge(view, m.seen, m.config, signal))) stopped.add(m.seen.id);
    }
    this.awakeIds = new Set(awake.map((m) => m.seen.id).filter((id) => !stopped.has(id)));
  }

  /** Releases every claim of this process (at its end). */
  release(): void {
    this.o.claims?.releaseAll();
  }

  /** Takes the claims on the managed containers; one line for each this process must leave to another. */
  private claim(view: View): void {
    const claims = this.o.claims;
    if (!claims) return;
    for (const [name, m] of view.managed) {
      const held = claims.take(m.seen.id, name);
      if (!held) {
        if (this.deferred.delete(m.seen.id)) this.o.warn(`${name}: the berth ${claims.owner === 'serve' ? 'process' : 'serve'} that managed it is gone; managed here again`);
        continue;
      }
      if (!this.deferred.has(m.seen.id)) this.o.warn(deferMessage(name, held));
      this.deferred.add(m.seen.id);
    }
  }

  /** Reference counting: a dependency's idle time counts from the last round it had an awake dependent. */
  private noteUse(view: Pick<View, 'all' | 'deps' | 'managed'>): void {
    for (const [name, m] of view.managed) {
      if (!m.seen.awake) continue;
      if (this.users(view, name).length) this.usedAt.set(m.seen.id, this.now());
    }
  }

  private users(view: Pick<View, 'all' | 'deps'>, name: string): string[] {
    // A dependent this process is waking (a request held for it) counts as awake before it runs.
    const inUse = (n: string) => !!view.all.get(n)?.awake || (this.o.activity?.(n)?.inflight ?? 0) > 0;
    return awakeDependents(name, view.all.keys(), (n) => view.deps.get(n) ?? [], inUse);
  }

  /** How long since its own last activity (its counters, this process's activity); 0 while something is in flight. */
  private ownIdleFor(s: Seen): number {
    const ext = this.o.activity?.(s.name);
    if (ext && ext.inflight > 0) return 0;
    return Math.max(0, this.now() - Math.max(this.clock(s).lastActivity, ext?.last ?? 0));
  }

  /** How long a container has been idle: its own activity, and since it last had an awake dependent (reference counting). */
  idleFor(s: Seen): number {
    return Math.min(this.ownIdleFor(s), Math.max(0, this.now() - (this.usedAt.get(s.id) ?? 0)));
  }

  /** Forgets containers that are gone or no longer managed, so memory stays flat over months of churn. */
  private prune(view: View): void {
    const ids = new Set([...view.managed.values()].map((m) => m.seen.id));
    for (const id of this.clocks.keys()) {
      if (ids.has(id)) continue;
      this.clocks.delete(id);
      this.names.delete(id);
    }
    for (const id of this.usedAt.keys()) if (!ids.has(id)) this.usedAt.delete(id);
    for (const id of this.deferred) {
      if (ids.has(id)) continue;
      this.deferred.delete(id);
      this.o.claims?.release(id);
    }
    for (const name of this.kept.keys()) if (!view.managed.has(name)) this.kept.delete(name);
    for (const name of this.heldAt.keys()) if (!view.managed.has(name)) this.heldAt.delete(name);
    for (const name of this.states.names()) if (!view.managed.has(name)) this.states.forget(name);
    if (this.warned.size > 1000) this.warned.clear();
  }

  /** Fronted and nobody else carries its bytes: its traffic is the proxy's to see, not the counters'. */
  private onlyProxied(name: string): boolean {
    return !!this.o.fronted?.(name) && !this.o.carried?.(name);
  }

  /** An only-proxied container's counters are read only for a cpu busy check. */
  private readsCounters(name: string, cfg: IdleConfig): boolean {
    return !this.onlyProxied(name) || cfg.busy?.kind === 'cpu';
  }

  /** Traffic above this many bytes per reading is activity; none for an only-proxied container (its proxy sees it all). */
  private minBytes(name: string, cfg: IdleConfig): number {
    return this.onlyProxied(name) ? Infinity : cfg.minBytes;
  }

  private clock(s: Seen): ActivityClock {
    let c = this.clocks.get(s.id);
    if (!c) this.clocks.set(s.id, (c = new ActivityClock(this.now())));
    this.names.set(s.id, s.name);
    return c;
  }

  private async observe(name: string, s: Seen): Promise<void> {
    // Its idle time counts from when it was first seen awake, even if nothing reads its counters
    // (a fronted route): a clock made later, at the first question, would start late.
    if (s.awake) this.clock(s);
    const from = this.states.get(name);
    const input: IdleInput = { kind: 'observe', awake: s.awake };
    // A start this watcher sees now: was it a wake of this process (its note is taken once)?
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
      this.clock(s).touch(this.now());
      this.clock(s).last = undefined;
    }
    if (!this.o.actionsOnly && !this.o.fronted?.(name)) await this.o.emit(rec);
  }

  /** Judges an awake container; true when it was put to sleep. */
  private async judge(view: View, s: Seen, cfg: IdleConfig, signal: AbortSignal): Promise<boolean> {
    if (cfg.timeoutMs === 0 || this.ownIdleFor(s) < cfg.timeoutMs) return this.active(s);
    if (this.deferred.has(s.id)) return false;
    // Idle itself but used: kept (and said so) while a dependent is awake ...
    const inUse = this.inUse(view, s, this.users(view, s.name));
    if (inUse) return inUse;
    // ... and for its own timeout after the last one went.
    if (this.idleFor(s) < cfg.timeoutMs) return false;
    // The round's readings may be old by now (a slow stop before this one): decide on a fresh one.
    const checked = await this.freshLook(s, cfg, signal, view);
    if (checked === false) return false;
    const idle = this.idleFor(s);
    const clock = this.clock(s);
    const busy = cfg.busy ? await checkBusy(this.provider, s.id, cfg.busy, clock) : undefined;
    if (busy?.busy) return this.keep(s, `idle for ${fmtMs(roundS(idle))} but ${busy.why}; not stopped`);
    const seen = this.onlyProxied(s.name)
      ? 'no request, stream or connection'
      : this.o.fronted?.(s.name)
        ? `no request, stream or connection, network <= ${cfg.minBytes} B per reading`
        : `network <= ${cfg.minBytes} B per reading`;
    const reason = `idle for ${fmtMs(roundS(idle))} (${seen}, ${checked}, timeout ${fmtMs(cfg.timeoutMs)})${busy ? `; ${busy.why}` : ''}`;
    if (this.o.dryRun) {
      // Judge its dependencies as if it had stopped (view only; it stays awake for the state file).
      s.awake = false;
      return this.keep(s, `${reason}; dry run: would ${cfg.stopMethod}`, 'would_stop');
    }
    // The last check, synchronous with the stop: activity this process sees, and the claim.
    if (this.idleFor(s) < cfg.timeoutMs || this.claimedElsewhere(s)) return false;
    // Begun now, finished in the background: the round goes on with its other decisions.
    const id = s.id;
    this.stopping.set(
      id,
      this.sleepNow(s, cfg, reason).finally(() => this.stopping.delete(id)),
    );
    return true;
  }

  /** Waits for the stops begun (a stop once begun is finished, and its record printed). */
  async settle(): Promise<void> {
    while (this.stopping.size) await Promise.all(this.stopping.values());
  }

  /**
   * The reading a stop is decided on, taken just before it: the engine listed
   * again (is it still awake, the same container, with no awake dependent?)
   * its counters read again, and its open connections read. False: not to
   * be stopped now; else what the connection check found, for the record.
   */
  private async freshLook(s: Seen, cfg: IdleConfig, signal: AbortSignal, round: View): Promise<string | false> {
    // The round's list is fresh enough when taken within the last interval (at most 1 s); else list again.
    const view = this.now() - this.listedAt <= this.freshMs ? (this.lastView ?? round) : await this.look(signal);
    const now = view.all.get(s.name);
    if (!now || now.id !== s.id || !now.awake) return false;
    this.noteUse(view);
    const inUse = this.inUse(view, s, this.users(view, s.name));
    if (inUse) return inUse;
    // The round's counters are fresh enough when read within the last interval (at most 1 s) ago; else read them again.
    const last = this.clock(s).last?.at ?? 0;
    if (this.readsCounters(s.name, cfg) && this.now() - last > this.freshMs) {
      const c = await this.provider.counters(s.id, signal, this.now).catch(() => undefined);
      if (!c) return false;
      this.clock(s).observe(c, this.minBytes(s.name, cfg));
    }
    if (this.idleFor(s) < cfg.timeoutMs) return this.active(s);
    const checked = await this.openConnections(s, cfg, signal);
    if (checked === false || this.claimedElsewhere(s)) return false;
    return checked;
  }

  /** Active again: its next keep is reported anew, unless the activity was only an open connection's (reported already). */
  private active(s: Seen): false {
    if (this.heldAt.get(s.name) !== this.clock(s).lastActivity) this.kept.delete(s.name);
    return false;
  }

  /**
   * The established connections to its listening ports, read now: any that counts is activity (its
   * clock touched; kept, said once per reason) and the answer is false; else what was checked.
   */
  private async openConnections(s: Seen, cfg: IdleConfig, signal: AbortSignal): Promise<string | false> {
    if (cfg.connections === 'ignore') return `connections not counted (${CONNECTIONS_LABEL}=ignore)`;
    const reading = await this.provider.connections(s.id, signal).catch((err: unknown) => `reading failed: ${(err as Error)?.message ?? String(err)}`);
    const v = connectionsVerdict(reading, this.o.ownPeer);
    if (!v.open) {
      const key = `connections ${s.name}`;
      if (typeof reading === 'string' && !this.warned.has(key)) {
        this.warned.add(key);
        this.o.warn(`${s.name}: ${v.why}; it is stopped on its traffic alone (set ${CONNECTIONS_LABEL}=ignore to say so)`);
      }
      return v.why;
    }
    const idle = this.idleFor(s);
    this.clock(s).touch(this.now());
    this.heldAt.set(s.name, this.clock(s).lastActivity);
    return this.keep(s, `idle for ${fmtMs(roundS(idle))} but ${v.why}; not stopped`);
  }

  /**
   * Kept while a dependent is awake: reported (once per reason) naming the
   * dependents, except those whose stop has begun, which are waited for
   * quietly (it sleeps after them). Undefined: no awake dependent.
   */
  private inUse(view: Pick<View, 'all'>, s: Seen, users: string[]): Promise<false> | undefined {
    if (!users.length) return undefined;
    const shown = users.filter((n) => !this.stopping.has(view.all.get(n)?.id ?? ''));
    if (!shown.length) return Promise.resolve(false);
    return this.keep(s, `idle for ${fmtMs(roundS(this.ownIdleFor(s)))} but in use by ${shown.join(', ')} (awake dependents)`);
  }

  /** Another live berth process manages it now (read from the claim file, just before acting). */
  private claimedElsewhere(s: Seen): boolean {
    const held = this.o.claims?.holder(s.id);
    if (!held) return false;
    if (!this.deferred.has(s.id)) this.o.warn(deferMessage(s.name, held));
    this.deferred.add(s.id);
    return true;
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
    const own = this.o.sleep?.(s.name, cfg, reason);
    if (own) {
      const slept = await own;
      if (slept) this.states.apply(s.name, { kind: 'sleep' }, reason, { id: s.id });
      return slept;
    }
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
    for (const m of view.managed.values()) {
      const note = m.config.depsNote;
      if (note && !this.warned.has(note)) {
        this.warned.add(note);
        this.o.warn(note);
      }
    }
    for (const [name, m] of view.managed) {
      const key = `no timeout ${name}`;
      if (this.o.embedded || m.config.timeoutMs > 0 || m.config.managed || this.warned.has(key)) continue;
      this.warned.add(key);
      this.o.warn(`${name} has no berth.idle.timeout and watch-idle has no --timeout: it is tracked but never stopped`);
    }
    for (const n of this.o.embedded || typeof this.o.names === 'function' ? [] : (this.o.names ?? [])) {
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
