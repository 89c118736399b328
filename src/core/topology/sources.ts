/**
 * The sources of `berth topology`, each feeding the per-tick counters (and
 * growing the graph) from one kind of real reading: engine events, TCP
 * connections between members, requests through berth serve, stdin records,
 * and each running member's log lines.
 */
import type { Engine } from '../engine/engine.js';
import { COMPOSE_PROJECT, COMPOSE_SERVICE } from '../engine/labels.js';
import { watchEvents, type WatcherStatus } from '../events/watcher.js';
import type { EngineEvent } from '../events/source.js';
import { linkedController } from '../stream/abort.js';
import { cell, type TickCounters } from './counters.js';
import { CLIENT, type GroupBy } from './graph.js';
import { followLogCounts } from './log-counts.js';
import type { RunningMember } from './members.js';
import { badLineReporter, readTopologyInput, type TopologyInput } from './stdin.js';
import { newConnections } from './tcp-source.js';
import { serveRequests } from './serve-source.js';
import type { Shared, TopologyOptions } from './watch.js';

function eventNode(ev: EngineEvent, by: GroupBy): string | undefined {
  const a = ev.Actor?.Attributes ?? {};
  return by === 'service' ? (a[COMPOSE_SERVICE] ?? a.name) : a.name;
}

export async function countEvents(engine: Engine, o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
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

export async function countConnections(o: TopologyOptions, s: Shared, signal: AbortSignal): Promise<void> {
  const src = newConnections({ members: () => s.members.running.values(), ownerOf: s.members.ownerOf, pollMs: o.pollMs, warn: o.warn }, signal);
  for await (const batch of src) {
    for (const c of batch) {
      if (!s.graph.hasEdge(c.from, c.to) && !s.graph.addEdge(c.from, c.to, 'tcp', o.by)) continue;
      s.counters.add(cell.edge(c.from, c.to, 'connections'));
    }
  }
}

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

export type LogSignals = Map<string, { controller: AbortController; dispose: () => void }>;

/** One log follower per running member, stopped when the member stops. */
export function logHooks(counters: TickCounters, signals: LogSignals, cursors: Map<string, string>, signal: AbortSignal) {
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
