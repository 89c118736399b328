/**
 * Keeps the route set in step with the engine, from its events (gapless
 * across engine restarts, src/core/events). Containers, through the engine's
 * one watcher (select/engine-watcher.ts, shared with the lifecycle owner):
 * when a route container is started, unpaused, dies or is paused (by anyone),
 * its state is read back from the engine (RouteLife.refresh); a container
 * created, removed or renamed, or the watcher's listing after a reconnect,
 * triggers a new discovery (debounced). Swarm services (the manager's events,
 * a subscription of their own: the watcher follows containers): an update (a
 * scale, by anyone) is read back the same way; a service created or removed
 * triggers a new discovery.
 */
import type { Engine } from '../engine/engine.js';
import { watchEvents, type WatcherStatus } from '../events/watcher.js';
import type { EngineEvent } from '../events/source.js';
import { EngineWatcher } from '../select/engine-watcher.js';
import type { RouteSet } from './route-set.js';

export interface SyncOptions {
  rediscover: () => void;
  onStatus?: (s: WatcherStatus) => void;
}

/** Per kind of unit: the actions read back (`state`) and those that change the set of routes (`set`). */
const ACTIONS = {
  container: { state: ['start', 'unpause', 'die', 'pause'], set: ['create', 'destroy', 'rename'] },
  service: { state: ['update'], set: ['create', 'remove'] },
} as const;

export async function syncWithEngine(engine: Engine, routes: RouteSet, o: SyncOptions, signal: AbortSignal, kind: keyof typeof ACTIONS = 'container'): Promise<void> {
  const { state, set } = ACTIONS[kind];
  const changed = new Set<string>(set);
  const stateful = new Set<string>(state);
  const apply = (ev: EngineEvent) => {
    const name = ev.Actor?.Attributes?.name;
    if (changed.has(ev.Action)) return o.rediscover();
    const life = name && stateful.has(ev.Action) ? routes.get(name) : undefined;
    if (life) void life.refresh();
  };
  if (kind === 'container') {
    EngineWatcher.of(engine).listen({ event: apply, synced: (first) => first || o.rediscover(), ...(o.onStatus ? { status: o.onStatus } : {}) }, signal);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    return;
  }
  const filters = { type: [kind], event: [...state, ...set] };
  for await (const ev of watchEvents(engine, { filters, ...(o.onStatus ? { onStatus: o.onStatus } : {}) }, signal)) apply(ev);
}
