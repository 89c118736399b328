/**
 * Keeps the route set in step with the engine, from its events (gapless
 * across engine restarts, src/core/events): when a route container is
 * started, unpaused, dies or is paused (by anyone), its state is read back
 * from the engine (RouteLife.refresh); a
 * container created, removed or renamed triggers a new discovery (debounced).
 */
import type { Engine } from '../engine/engine.js';
import { watchEvents, type WatcherStatus } from '../events/watcher.js';
import type { RouteSet } from './route-set.js';

export interface SyncOptions {
  rediscover: () => void;
  onStatus?: (s: WatcherStatus) => void;
}

const RUNNING = new Set(['start', 'unpause']);
const STOPPED = new Set(['die', 'pause']);
const CHANGED = new Set(['create', 'destroy', 'rename']);

export async function syncWithEngine(engine: Engine, routes: RouteSet, o: SyncOptions, signal: AbortSignal): Promise<void> {
  const filters = { type: ['container'], event: [...RUNNING, ...STOPPED, ...CHANGED] };
  for await (const ev of watchEvents(engine, { filters, ...(o.onStatus ? { onStatus: o.onStatus } : {}) }, signal)) {
    const name = ev.Actor?.Attributes?.name;
    if (CHANGED.has(ev.Action)) {
      o.rediscover();
      continue;
    }
    const life = name ? routes.get(name) : undefined;
    if (!life) continue;
    void life.refresh();
  }
}
