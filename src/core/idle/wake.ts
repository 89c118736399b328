/**
 * Waking a container: its dependencies first, in topological order, each
 * waited for per its condition; then the container, waited for until ready.
 * `createWaker` returns a `Waker` (types.ts) with single flight per container
 * in this process; a second berth process waking the same container at the
 * same time does no harm because every provider operation is idempotent.
 *
 * Budget: `timeoutMs` when given, else the container's wake_timeout plus its
 * dependencies' own wake_timeouts; each dependency waits at most its own
 * wake_timeout and never past the overall deadline.
 *
 * On abort: nothing is left half-handled: the run stops waiting and reports,
 * as a final `error` event, which containers it started and left running.
 */
import { WakeFailure } from './wake-failure.js';
import type { DepCondition } from './config.js';
import { wakeOrder } from './deps.js';
import { fmtMs, readyState, waitReady, type ReadinessTarget } from './readiness.js';
import type { UnitState } from './provider.js';
import { SingleFlight } from './single-flight.js';
import { StartNotes } from './start-notes.js';
import { StateTable } from './state-machine.js';
import type { Unit } from './unit-resolver.js';
import type { IdleRecord, Provider, WakeEvent, WakeEventKind, WakeOnce, WakePath, Waker } from './types.js';

/**
 * What a wake needs: the units (containers or swarm services) with their
 * dependencies and state, and the Provider that starts them. The wake knows
 * nothing of containers: UnitResolver over the ContainerProvider is one
 * implementation, ServiceUnits over the ServiceProvider (swarm/) the other.
 */
export interface UnitSource {
  provider: Provider & ReadinessTarget;
  graph(root: string, signal?: AbortSignal): Promise<Map<string, Unit>>;
}

export interface WakerOptions {
  resolver: UnitSource;
  /** Shared state table (watch-idle, serve); a private one when left out. */
  states?: StateTable;
  onTransition?: (r: IdleRecord) => void;
  now?: () => number;
}

/** Strictest first: a dependency needed under several conditions is waited for under the strictest. */
const RANK: DepCondition[] = ['service_completed_successfully', 'ready', 'service_healthy', 'service_started'];

export function depConditions(units: Map<string, Unit>): Map<string, DepCondition> {
  const out = new Map<string, DepCondition>();
  for (const u of new Set(units.values())) {
    for (const d of u.deps) {
      const prev = out.get(d.name);
      if (!prev || RANK.indexOf(d.condition) < RANK.indexOf(prev)) out.set(d.name, d.condition);
    }
  }
  return out;
}

export function createWaker(o: WakerOptions): Waker & { flights: SingleFlight<WakeEvent> } {
  const path = createWakePath(o);
  return Object.assign(path.waker, { flights: path.flights });
}

/** The wake path over the engine (dependencies, readiness); see WakePath. */
export function createWakePath(o: WakerOptions): WakePath & { flights: SingleFlight<WakeEvent> } {
  const states = o.states ?? new StateTable();
  const notes = new StartNotes();
  return wakePath((container, emit, signal, opts) => new WakeRun(o, states, container, emit, signal, opts.timeoutMs, opts.port, notes).run(), notes);
}

/** A WakePath around any single wake (the engine's, or a stand-in in tests): the one de-duplication point. */
export function wakePath(once: WakeOnce, notes = new StartNotes()): WakePath & { flights: SingleFlight<WakeEvent> } {
  const flights = new SingleFlight<WakeEvent>();
  const waker: Waker = (container, opts = {}) =>
    flights.join(
      container,
      async (emit, signal) => {
        await once(container, emit, signal, opts);
      },
      opts,
    );
  return { waker, once, flights, join: (container, run) => flights.join(container, run), inFlight: (c) => flights.has(c), startedBy: (unit) => notes.take(unit) };
}

class WakeRun {
  private readonly started: string[] = [];
  /** The unit being started or waited for: the one a failure is about. */
  private current?: string;
  private readonly t0: number;
  private readonly now: () => number;

  constructor(
    private readonly o: WakerOptions,
    private readonly states: StateTable,
    private readonly container: string,
    private readonly emitRaw: (e: WakeEvent) => void,
    private readonly signal: AbortSignal,
    private readonly timeoutMs?: number,
    private readonly port?: number,
    /** Where each unit this wake starts or unpauses is noted (start-notes.ts). */
    private readonly notes?: StartNotes,
  ) {
    this.now = o.now ?? Date.now;
    this.t0 = this.now();
  }

  private emit(event: WakeEventKind, message: string, dep?: string, deps?: string[]): void {
    this.emitRaw({ type: 'wake', event, ts: new Date().toISOString(), container: this.container, ...(dep ? { dep } : {}), ...(deps ? { deps } : {}), message });
  }

  private transition(unit: Unit, input: Parameters<StateTable['apply']>[1], reason: string): void {
    const rec = this.states.apply(unit.name, input, reason, { id: unit.id });
    if (rec) this.o.onTransition?.(rec);
  }

  /** Resolves with the state the container's readiness was read from (its address: where it is reached). */
  async run(): Promise<UnitState> {
    let units: Map<string, Unit> | undefined;
    try {
      units = await this.o.resolver.graph(this.container, this.signal);
      const root = units.get(this.container)!;
      const order = wakeOrder(this.container, (n) => units!.get(n)?.deps.map((d) => d.name) ?? []);
      const budget = this.timeoutMs ?? root.config.wakeTimeoutMs + order.reduce((s, n) => s + units!.get(n)!.config.wakeTimeoutMs, 0);
      const deadline = this.t0 + budget;
      this.emit('starting', order.length ? `waking ${root.name} after ${order.join(', ')} (budget ${fmtMs(budget)})` : `waking ${root.name} (budget ${fmtMs(budget)})`, undefined, order);
      const conditions = depConditions(units);
      for (const dep of order) await this.wakeDep(units.get(dep)!, conditions.get(dep) ?? 'ready', deadline);
      return await this.wakeRoot(root, deadline, budget);
    } catch (err) {
      this.fail(err, units);
      throw err;
    }
  }

  private async wakeDep(dep: Unit, condition: DepCondition, deadline: number): Promise<void> {
    this.current = dep.name;
    this.emit('waking_dep', `starting dependency ${dep.name} (${condition})`, dep.name);
    await this.startUnit(dep);
    const timeoutMs = Math.max(0, Math.min(dep.config.wakeTimeoutMs, deadline - this.now()));
    const how = await waitReady(this.o.resolver.provider, dep.name, { condition, probe: dep.config.probe, timeoutMs, signal: this.signal });
    this.transition(dep, { kind: 'ready' }, how);
    this.emit('dep_ready', `dependency ${dep.name} is ${how}`, dep.name);
  }

  private async wakeRoot(root: Unit, deadline: number, budgetMs: number): Promise<UnitState> {
    this.current = root.name;
    const was = await this.startUnit(root);
    const words = this.o.resolver.provider.wording;
    this.emit('container_woke', was === 'running' ? `${root.name} was already running` : `${was === 'started' && words ? words.started : was} ${root.name}`);
    this.emit('waiting_ready', `waiting for ${root.name} to be ready (${readinessOf(root, words?.ready)})`);
    const timeoutMs = Math.max(0, deadline - this.now());
    const port = this.port !== undefined ? { port: this.port } : {};
    const { how, state } = await readyState(this.o.resolver.provider, root.name, { probe: root.config.probe, timeoutMs, budgetMs, signal: this.signal, ...port });
    this.transition(root, { kind: 'ready' }, how);
    this.emit('ready', `${root.name} is ready (${how}) after ${fmtMs(Math.round((this.now() - this.t0) / 100) * 100)}`);
    return state;
  }

  /** Starts (or unpauses) a unit; says which, or 'running' when it already was. */
  private async startUnit(u: Unit): Promise<'running' | 'started' | 'unpaused'> {
    // The state read with the unit (resolver.graph) is fresh: no second inspect before the start.
    const st = u.state;
    if (st.running && !st.paused) return 'running';
    if (this.signal.aborted) throw this.signal.reason;
    this.transition(u, { kind: 'wake' }, st.paused ? 'unpausing' : 'starting');
    // Noted before the start, so a lifecycle owner that lists it awake at once finds the note.
    this.notes?.note(u.name, this.container);
    try {
      await this.o.resolver.provider.start(u.name, undefined, st);
    } catch (err) {
      this.notes?.take(u.name);
      if (this.signal.aborted) throw err;
      throw new WakeFailure('refused', u.name, `the engine refused to start ${u.name}: ${(err as Error).message}`, { cause: err });
    }
    this.started.push(u.name);
    return st.paused ? 'unpaused' : 'started';
  }

  private fail(err: unknown, units: Map<string, Unit> | undefined): void {
    // After a failure the one being woken is the one that failed; after an abort, all it started is still up.
    const started = this.signal.aborted ? this.started : this.started.filter((n) => n !== this.current);
    const left = started.length ? `; started and left running: ${started.join(', ')}` : '';
    const msg = this.signal.aborted ? `interrupted${left}` : `${(err as Error)?.message ?? String(err)}${left}`;
    const unit = units?.get(this.container);
    if (unit && !this.signal.aborted) this.transition(unit, { kind: 'fail' }, (err as Error)?.message ?? 'failed');
    this.emit('error', msg);
  }
}

function readinessOf(u: Unit, fallback = 'healthcheck if it has one, else running'): string {
  if (u.config.probe) return u.config.probe.kind === 'http' ? `probe ${u.config.probe.url}` : `probe tcp://${u.config.probe.host}:${u.config.probe.port}`;
  return fallback;
}
