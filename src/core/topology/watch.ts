/**
 * `watchTopology`: the whole pipeline behind `berth topology`. Sources (engine
 * events, log lines, TCP connections, stdin records) increment per-tick
 * counters; once per tick the counters are drained in one step and turned
 * into a `topology` snapshot with every node and edge of the graph. The
 * members come from the selection supervisor, whose connection to the engine
 * is also the engine's health: snapshots keep flowing while the engine is
 * down, with `engineUp: false`.
 */
import { setMaxListeners } from 'node:events';
import { setInterval as every } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import type { Selection } from '../engine/select.js';
import { linkedController } from '../stream/abort.js';
import type { TopologyRecord } from '../records.js';
import { DEFAULT_CELL_CAP, TickCounters } from './counters.js';
import { CLIENT, TopologyGraph } from './graph.js';
import { TopologyMembers } from './members.js';
import { EngineWatcher } from '../select/engine-watcher.js';
import { Supervisor, type Lifetime } from '../select/supervisor.js';
import { buildSnapshot } from './snapshot.js';
import type { Shared, TopologyOptions } from './watch-options.js';
import { countConnections, countEvents, countInput, countRequests, logCounting } from './sources.js';

export const DEFAULT_TICK_MS = 5000;

export type { Shared, TopologyOptions } from './watch-options.js';

/** The map of a selection on one engine, or (--service/--stack) on a swarm's node engines. */
export async function* watchTopology(engines: Engine[], o: TopologyOptions, signal: AbortSignal): AsyncGenerator<TopologyRecord> {
  const { controller, dispose } = linkedController(signal);
  const inner = controller.signal;
  setMaxListeners(0, inner); // a log follower per container
  const graph = new TopologyGraph();
  const counters = new TickCounters(o.cap ?? DEFAULT_CELL_CAP);
  const members = new TopologyMembers(o.by, graph, o.logs ? logCounting(counters, inner) : {});
  const shared: Shared = { graph, counters, members, downInTick: false };
  // Which containers there are comes from the selection supervisor (stopped ones too: their nodes stay);
  // its connection state is the engine's health. Status lines come from the events source.
  // With several engines (a swarm's nodes), engineUp is true only while every one of them answers.
  const down = new Set<Engine>();
  const onEngine = (e: Engine, up: boolean) => {
    if (up) down.delete(e);
    else {
      down.add(e);
      shared.downInTick = true;
    }
    members.engineUp = down.size === 0;
  };
  // Its event counts take every container event: asked of each engine's one watcher before the supervisor
  // opens it, so the subscription is made once, with all of them.
  for (const e of engines) EngineWatcher.of(e).use(inner, { allEvents: true });
  const supervisor = new Supervisor(engines, { ...o.sel, all: true }, { warn: o.warn, onEngine, statusLines: false });
  const lifetimes = supervisor.lifetimes(inner);
  try {
    for (let r = await lifetimes.next(); !r.done; r = await lifetimes.next()) {
      await members.apply(r.value, inner);
      if (r.value.kind === 'synced') break;
    }
    if (graph.nodes.size === 0) o.warn(`no containers match ${describe(o.sel)} yet; the map fills in as they appear`);
    if (o.serve) graph.addNode(CLIENT, 'client');
    const tasks = startSources(engines, o, shared, lifetimes, inner);
    yield* ticks(o, shared, inner);
    controller.abort();
    await tasks;
  } finally {
    controller.abort();
    dispose();
    await lifetimes.return(undefined);
  }
}

async function* ticks(o: TopologyOptions, s: Shared, signal: AbortSignal): AsyncGenerator<TopologyRecord> {
  const { project, stack } = o.sel;
  const swarm = o.sel.stack !== undefined || !!o.sel.services?.length;
  let tick = 0;
  try {
    for await (const _ of every(o.tickMs, undefined, { signal })) {
      const drained = s.counters.drain();
      const engineUp = s.members.engineUp && !s.downInTick;
      s.downInTick = false;
      const tcp = o.tcp && !s.tcpOff;
      const sources = { events: true, logs: o.logs, tcp, tcpFrom: tcp ? (s.tcpSource ?? null) : null, stdin: !!o.stdin, serve: !!o.serve };
      const meta = { ts: new Date().toISOString(), tick: ++tick, tickMs: o.tickMs, engineUp, project, stack, by: o.by, sources, ...(swarm ? { hosts: s.members.hostsOf } : {}) };
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
  const what = sel.project !== undefined ? `project ${sel.project}` : sel.stack !== undefined ? `stack ${sel.stack}` : sel.services?.length ? `service ${sel.services.join(', ')}` : 'the selection';
  return [what, ...filters.map((f) => `--filter ${f}`)].join(' ');
}

function startSources(engines: Engine[], o: TopologyOptions, s: Shared, lifetimes: AsyncGenerator<Lifetime>, signal: AbortSignal): Promise<unknown> {
  const tasks = [follow(s, lifetimes, signal), ...engines.map((e) => countEvents(e, o, s, signal))];
  if (o.tcp) tasks.push(countConnections(o, s, signal));
  if (o.serve) tasks.push(countRequests(o.serve, o, s, signal));
  // stdin is not awaited: a reader blocked on an idle pipe cannot be interrupted, and it holds nothing to release.
  if (o.stdin) void countInput(o.stdin, o, s);
  return Promise.allSettled(tasks);
}

async function follow(s: Shared, lifetimes: AsyncGenerator<Lifetime>, signal: AbortSignal): Promise<void> {
  try {
    for await (const l of lifetimes) await s.members.apply(l, signal);
  } catch {
    // aborted
  }
}
