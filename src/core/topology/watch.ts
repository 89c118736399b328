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
import { COMPOSE_PROJECT, COMPOSE_SERVICE } from '../engine/labels.js';
import type { Selection } from '../engine/select.js';
import { watchEvents, type WatcherStatus } from '../events/watcher.js';
import type { EngineEvent } from '../events/source.js';
import { linkedController } from '../stream/abort.js';
import type { TopologyRecord } from '../records.js';
import { cell, DEFAULT_CELL_CAP, TickCounters } from './counters.js';
import { TopologyGraph, type GroupBy } from './graph.js';
import { followLogCounts } from './log-counts.js';
import { Membership, type RunningMember } from './members.js';
import { buildSnapshot } from './snapshot.js';
import { badLineReporter, readTopologyInput, type TopologyInput } from './stdin.js';
import { newConnections } from './tcp-source.js';
import { serveRequests } from './serve-source.js';

export const DEFAULT_TICK_MS = 5000;
export const REFRESH_MS = 1000;
/** The node that stands for requests arriving through berth serve. */
export const CLIENT = 'client';

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
interface Shared {
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

function eventNode(ev: EngineEvent, by: GroupBy): string | undefined {
  const a = ev.Actor?.Attributes ?? {};
  return by === 'service' ? (a[COMPOSE_SERVICE] ?? a.name) : a.name;
}

async function countEvents(engine: Engine, o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  const filters: Record<string, string[]> = { type: ['container'] };
  if (o.sel.project) filters.label = [`${COMPOSE_PROJECT}=${o.sel.project}`];
  const onStatus = (st: WatcherStatus) => {
    if (st.kind === 'disconnected') (s.members.engineUp = false), (s.downInTick = true);
    if (st.kind === 'reconnected') s.refresh();
    o.onStatus?.(st);
  };
  try {
    for await (const ev of watchEvents(engine, { filters, onStatus }, signal)) {
      const node = eventNode(ev, o.by);
      if (node !== undefined && (s.graph.nodes.has(node) || (o.sel.project && s.graph.addNode(node, o.by)))) s.counters.add(cell.node(node, 'events'));
      if (ev.Action === 'start') s.members.invalidate(ev.Actor.ID);
      if (ev.Action === 'start' || ev.Action === 'die' || ev.Action === 'destroy') s.refresh();
    }
  } catch (err) {
    if (!signal.aborted) o.warn(`engine events are no longer counted: ${(err as Error).message}`);
  }
}

async function countConnections(o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  const src = newConnections({ members: () => s.members.running.values(), ownerOf: s.members.ownerOf, pollMs: o.pollMs, warn: o.warn }, signal);
  for await (const batch of src) {
    for (const c of batch) {
      if (!s.graph.hasEdge(c.from, c.to) && !s.graph.addEdge(c.from, c.to, 'tcp', o.by)) continue;
      s.counters.add(cell.edge(c.from, c.to, 'connections'));
    }
  }
}

async function countRequests(serve: NonNullable<TopologyOptions['serve']>, o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  for await (const batch of serveRequests({ ...serve, warn: o.warn }, signal)) {
    for (const [route, n] of batch) {
      const node = s.members.nodeOfName(route);
      if (node === undefined || !s.graph.addEdge(CLIENT, node, 'client', 'client')) continue;
      s.counters.add(cell.edge(CLIENT, node, 'requests'), n);
    }
  }
}

async function countInput(stdin: AsyncIterable<Buffer | string>, o: TopologyOptions, s: Shared): Promise<void> {
  const report = badLineReporter(o.warn);
  let full = false;
  try {
    for await (const input of readTopologyInput(stdin, report)) {
      if (applyInput(s, input)) continue;
      if (!full) o.warn(`the graph is full (256 nodes, 1024 edges): stdin records naming new nodes or edges are not counted`);
      full = true;
    }
  } catch (err) {
    o.warn(`stdin is no longer read: ${(err as Error).message}`);
  }
}

/** Counts one stdin record; false when the graph had no room for a new node or edge. */
export function applyInput(s: Pick<Shared, 'graph' | 'counters'>, input: TopologyInput): boolean {
  if (input.kind === 'node') {
    if (!s.graph.addNode(input.id, 'input')) return false;
    s.counters.add(cell.node(input.id, 'input'), input.count);
    return true;
  }
  if (!s.graph.addEdge(input.from, input.to, 'input')) return false;
  s.counters.add(cell.edge(input.from, input.to, 'input'), input.count);
  return true;
}

type LogSignals = Map<string, { controller: AbortController; dispose: () => void }>;

/** One log follower per running member, stopped when the member stops. */
function logHooks(counters: TickCounters, signals: LogSignals, cursors: Map<string, string>, signal: AbortSignal) {
  const stop = (id: string) => {
    const l = signals.get(id);
    l?.controller.abort();
    l?.dispose();
    signals.delete(id);
  };
  return {
    onStart: (m: RunningMember) => {
      stop(m.target.id);
      const link = linkedController(signal);
      signals.set(m.target.id, link);
      void followLogCounts(m, counters, cursors, link.controller.signal);
    },
    onStop: (m: RunningMember) => stop(m.target.id),
  };
}
