/**
 * `watchTopology`: the whole pipeline behind `berth topology`. Sources (engine
 * events, log lines, TCP connections, stdin records) increment per-tick
 * counters; once per tick the counters are drained in one step and turned
 * into a `topology` snapshot with every node and edge of the graph. The
 * membership refresh (every second, and at once on a container start/die)
 * doubles as the engine's health check: snapshots keep flowing while the
 * engine is down, with `engineUp: false`.
 */
import { setInterval as every } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import type { Selection } from '../engine/select.js';
import type { WatcherStatus } from '../events/watcher.js';
import { linkedController } from '../stream/abort.js';
import type { TopologyRecord } from '../records.js';
import { DEFAULT_CELL_CAP, TickCounters } from './counters.js';
import { CLIENT, TopologyGraph, type GroupBy } from './graph.js';
import { Membership } from './members.js';
import { buildSnapshot } from './snapshot.js';
import { countConnections, countEvents, countInput, countRequests, logHooks, type LogSignals } from './sources.js';

export const DEFAULT_TICK_MS = 5000;
export const REFRESH_MS = 1000;

export interface TopologyOptions {
  sel: Selection;
  by: GroupBy;
  tickMs: number;
  /** Stop after this many snapshots. */
  ticks?: number;
  /** Count TCP connections through /proc (engine on this host only). */
  tcp: boolean;
  logs: boolean;
  stdin?: AsyncIterable<Buffer | string>;
  /** A running `berth serve` whose proxied requests feed the `client` node. */
  serve?: { url: string; tokenFile?: string };
  warn: (msg: string) => void;
  onStatus?: (s: WatcherStatus) => void;
  pollMs?: number;
  cap?: number;
}

/** Sources write here; the tick loop reads from here. */
export interface Shared {
  graph: TopologyGraph;
  counters: TickCounters;
  members: Membership;
  /** Set when a failure to reach the engine was seen during the tick (the engine may be back by its end). */
  downInTick: boolean;
  refresh: () => void;
}

export async function* watchTopology(engine: Engine, o: TopologyOptions, signal: AbortSignal): AsyncGenerator<TopologyRecord> {
  const { controller, dispose } = linkedController(signal);
  const inner = controller.signal;
  const logSignals: LogSignals = new Map();
  const logCursors = new Map<string, string>();
  const graph = new TopologyGraph();
  const counters = new TickCounters(o.cap ?? DEFAULT_CELL_CAP);
  const hooks = o.logs ? logHooks(counters, logSignals, logCursors, inner) : {};
  const members = new Membership(engine, o.sel, o.by, graph, hooks);
  const shared: Shared = { graph, counters, members, downInTick: false, refresh: () => {} };
  try {
    await members.refresh(inner);
    if (graph.nodes.size === 0) o.warn(`no containers match ${describe(o.sel)} yet; the map fills in as they appear`);
    if (o.serve) graph.addNode(CLIENT, 'client');
    shared.refresh = serialRefresh(shared, inner);
    const tasks = startSources(engine, o, shared, inner);
    yield* ticks(o, shared, inner);
    controller.abort();
    await tasks;
  } finally {
    controller.abort();
    for (const l of logSignals.values()) l.controller.abort(), l.dispose();
    dispose();
  }
}

async function* ticks(o: TopologyOptions, s: Shared, signal: AbortSignal): AsyncGenerator<TopologyRecord> {
  const sources = { events: true, logs: o.logs, tcp: o.tcp, stdin: !!o.stdin, serve: !!o.serve };
  const project = o.sel.project;
  let tick = 0;
  try {
    for await (const _ of every(o.tickMs, undefined, { signal })) {
      const drained = s.counters.drain();
      const engineUp = s.members.engineUp && !s.downInTick;
      s.downInTick = false;
      const meta = { ts: new Date().toISOString(), tick: ++tick, tickMs: o.tickMs, engineUp, project, by: o.by, sources };
      yield buildSnapshot(s.graph, drained, meta, s.counters.cap);
      if (o.ticks !== undefined && tick >= o.ticks) return;
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}

function describe(sel: Selection): string {
  if (sel.names.length) return sel.names.join(', ');
  const filters = Object.entries(sel.filters ?? {}).flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`));
  return [sel.project !== undefined ? `project ${sel.project}` : 'the selection', ...filters.map((f) => `--filter ${f}`)].join(' ');
}

/** One refresh at a time; a request during a refresh runs once more after it. */
function serialRefresh(s: Shared, signal: AbortSignal): () => void {
  let running: Promise<void> | undefined;
  let again = false;
  const run = (): void => {
    if (running) {
      again = true;
      return;
    }
    running = s.members
      .refresh(signal)
      .catch(() => {})
      .then(() => {
        if (!s.members.engineUp) s.downInTick = true;
        running = undefined;
        if (again && !signal.aborted) {
          again = false;
          run();
        }
      });
  };
  return run;
}

function startSources(engine: Engine, o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<unknown> {
  const tasks = [refreshLoop(s, signal), countEvents(engine, o, s, signal)];
  if (o.tcp) tasks.push(countConnections(o, s, signal));
  if (o.serve) tasks.push(countRequests(o.serve, o, s, signal));
  // stdin is not awaited: a reader blocked on an idle pipe cannot be interrupted, and it holds nothing to release.
  if (o.stdin) void countInput(o.stdin, o, s);
  return Promise.allSettled(tasks);
}

async function refreshLoop(s: Shared, signal: AbortSignal): Promise<void> {
  try {
    for await (const _ of every(REFRESH_MS, undefined, { signal })) s.refresh();
  } catch {
    // aborted
  }
}
