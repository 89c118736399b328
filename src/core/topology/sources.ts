/**
 * The sources of `berth topology`, each feeding the per-tick counters (and
 * growing the graph) from one kind of real reading: engine events, TCP
 * connections between members, requests through berth serve, stdin records,
 * and each running member's log lines.
 */
import type { Engine } from '../engine/engine.js';
import { COMPOSE_SERVICE, SWARM_SERVICE } from '../engine/labels.js';
import { inServices, selectionFilters } from '../engine/select.js';
import type { WatcherStatus } from '../events/watcher.js';
import { EngineWatcher } from '../select/engine-watcher.js';
import { matchAttributes } from '../select/match.js';
import type { EngineEvent } from '../events/source.js';
import { cell, type TickCounters } from './counters.js';
import { CLIENT, type GroupBy } from './graph.js';
import { ContainerFollower } from '../logs/container-follow.js';
import { detectLevel, type Level } from '../logs/severity.js';
import type { MemberHooks } from './members.js';
import type { NodeCount } from './snapshot.js';
import { badLineReporter, readTopologyInput, type TopologyInput } from './stdin.js';
import { newConnections } from './tcp-source.js';
import { conntrackConnections, conntrackUnavailable } from './conntrack.js';
import type { NewConnection } from './connections.js';
import { serveRequests } from './serve-source.js';
import type { Shared, TopologyOptions } from './watch-options.js';

function eventNode(ev: EngineEvent, by: GroupBy): string | undefined {
  const a = ev.Actor?.Attributes ?? {};
  return by === 'service' ? (a[COMPOSE_SERVICE] ?? a[SWARM_SERVICE] ?? a.name) : a.name;
}

/**
 * Every container event of the selection counts on its node, from the engine's one watcher (every
 * container event, not only those that change membership: topology asks it for all). Resolves when the
 * signal aborts.
 */
export async function countEvents(engine: Engine, o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  const { project, stack, services } = o.sel;
  const labels = selectionFilters({ ...o.sel, names: [], filters: {} }).label ?? [];
  const sel = { names: [], filters: { label: labels } };
  // A project, stack or service grows the map with the containers it gains; a list of names does not.
  const grows = !!(project || stack !== undefined || services?.length);
  const event = (ev: EngineEvent) => {
    const attrs = ev.Actor?.Attributes ?? {};
    if (!matchAttributes(sel, ev.Actor?.ID ?? '', attrs) || !inServices(o.sel, attrs)) return;
    const node = eventNode(ev, o.by);
    if (node !== undefined && (s.graph.nodes.has(node) || (grows && s.graph.addNode(node, o.by)))) s.counters.add(cell.node(node, 'events'));
  };
  // engineUp follows the supervisor's connection to each engine (watch.ts); a drop seen here marks the tick.
  const status = (st: WatcherStatus) => {
    if (st.kind === 'disconnected') s.downInTick = true;
    o.onStatus?.(st, engine);
  };
  EngineWatcher.of(engine).listen({ event, status }, signal, { allEvents: true });
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

export async function countConnections(o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  const add = (batch: NewConnection[]) => {
    for (const c of batch) {
      if (!s.graph.hasEdge(c.from, c.to) && !s.graph.addEdge(c.from, c.to, 'tcp', o.by)) continue;
      s.counters.add(cell.edge(c.from, c.to, 'connections'));
    }
  };
  const why = o.tcpSource === 'proc' ? 'asked for with --tcp-source proc' : await conntrackUnavailable([...s.members.running.values()].flatMap((m) => m.ips));
  if (why === undefined) {
    // Quiet when it works (the records' sources.tcpFrom says so); the fallback is said on stderr, with why.
    const onListening = () => {
      s.tcpSource = 'conntrack';
      o.onTcpListening?.();
    };
    try {
      for await (const batch of conntrackConnections({ ownerOf: s.members.ownerOf, warn: o.warn, onListening }, signal)) add(batch);
      return;
    } catch (err) {
      if (signal.aborted) return;
      o.warn(`TCP connections: ${(err as Error).message}; ${POLLING}`);
    }
  } else o.warn(`TCP connections: conntrack is not used (${why}); ${POLLING}`);
  s.tcpSource = 'proc';
  o.onTcpListening?.();
  for await (const batch of newConnections({ members: () => s.members.running.values(), ownerOf: s.members.ownerOf, pollMs: o.pollMs, warn: o.warn }, signal)) add(batch);
  // Ended without being stopped: it could not read the connections (said on stderr); snapshots say so too.
  if (!signal.aborted) s.tcpOff = true;
}

const POLLING = 'polling /proc/<pid>/net/tcp of each container instead: a connection that opens and ends with a reset between two polls is missed';

export async function countRequests(serve: NonNullable<TopologyOptions['serve']>, o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  for await (const batch of serveRequests({ ...serve, warn: o.warn }, signal)) {
    for (const [route, n] of batch) {
      const node = s.members.nodeOfName(route);
      if (node === undefined || !s.graph.addEdge(CLIENT, node, 'client', 'client')) continue;
      s.counters.add(cell.edge(CLIENT, node, 'requests'), n);
    }
  }
}

export async function countInput(stdin: AsyncIterable<Buffer | string>, o: TopologyOptions, s: Shared): Promise<void> {
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

const FIELD: Record<Level, NodeCount> = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug', OTHER: 'other' };

/**
 * Log lines by severity into each running member's node: one ContainerFollower per container (the one
 * resumable log stream: across restarts and reconnects no line is counted twice), from the moment it was
 * seen, or from its start when it started while we watch (never before the watch began: a container
 * stopped then has lines of an earlier life); ended when the container is removed.
 */
export function logCounting(counters: TickCounters, signal: AbortSignal): MemberHooks {
  const began = BigInt(Date.now()) * 1_000_000n;
  const followers = new Map<string, ContainerFollower>();
  const count = async (f: ContainerFollower, node: string) => {
    for await (const batch of f.lines()) {
      counters.add(cell.node(node, 'logs'), batch.length);
      for (const line of batch) counters.add(cell.node(node, FIELD[detectLevel(line.msg)]));
    }
  };
  return {
    onRunning: (m) => {
      if (followers.has(m.target.id)) return;
      const env = { query: { since: m.fresh ? began : BigInt(Date.now()) * 1_000_000n }, signal, onStatus: () => {} };
      const f = new ContainerFollower(m.target, env, m.fresh ? 'new' : 'late');
      followers.set(m.target.id, f);
      void count(f, m.node).catch(() => {});
    },
    onStarted: (t) => followers.get(t.id)?.started(),
    onRemoved: (t) => {
      followers.get(t.id)?.removed();
      followers.delete(t.id);
    },
  };
}
