/**
 * The live set of routes: the lookup table and one RouteLife per container.
 * `apply` takes a fresh discovery (at start, and after containers are
 * created, removed or renamed): new routes get a life whose state is read
 * from the engine, known ones keep theirs (and their wake in progress),
 * vanished ones are dropped. Sleeping is decided by the lifecycle owner
 * (src/core/idle/lifecycle-owner.ts), which asks `activityOf` what the proxy sees and
 * puts a route to sleep through `sleepRoute`.
 */
import type { Activity } from './activity.js';
import type { Found } from './discover.js';
import { RouteLife, type LifeDeps } from './lifecycle.js';
import { RouteTable } from './routes.js';

export class RouteSet {
  table = new RouteTable([]);
  readonly lives = new Map<string, RouteLife>();

  constructor(
    private readonly deps: LifeDeps,
    private readonly activity: Activity,
  ) {}

  /** Replaces the routes; returns the table's conflicts (host or port claimed twice). */
  apply(found: Found[]): string[] {
    const names = new Set(found.map((f) => f.route.container));
    for (const [name, life] of this.lives) {
      if (names.has(name)) continue;
      life.hub.closeAll();
      this.lives.delete(name);
      this.activity.forget(name);
    }
    for (const f of found) {
      const life = this.lives.get(f.route.container);
      if (life) {
        life.route = f.route;
        life.idle = f.idle;
        life.id = f.id;
        continue;
      }
      const fresh = new RouteLife(f.route, f.idle, this.deps);
      fresh.id = f.id;
      if (f.running) {
        fresh.state = 'ready';
        this.activity.touch(f.route.container); // the idle timer starts now
      }
      this.lives.set(f.route.container, fresh);
    }
    this.table = new RouteTable(found.map((f) => f.route));
    return this.table.conflicts;
  }

  get(name: string): RouteLife | undefined {
    return this.lives.get(name);
  }

  all(): RouteLife[] {
    return [...this.lives.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * What the proxy sees of a container, for the lifecycle owner: requests,
   * streams, WebSockets and TCP connections in flight, and the last of them
   * (or the last wake). A wake in progress counts as in flight, so neither
   * the route nor the dependencies it is starting are put to sleep under it.
   */
  activityOf(name: string): { inflight: number; last: number } | undefined {
    const life = this.lives.get(name);
    if (!life) return undefined;
    const a = this.activity.get(name);
    return { inflight: a.inflight + (life.isWaking ? 1 : 0), last: Math.max(a.last, life.readyAt) };
  }

  /** Puts a route's container to sleep through its life (so requests wait for the stop, then wake it); undefined for a container that is not a route. */
  sleepRoute(name: string, reason?: string): Promise<boolean> | undefined {
    const life = this.lives.get(name);
    if (!life) return undefined;
    if (life.isWaking || life.stopInProgress || this.activity.get(name).inflight > 0) return Promise.resolve(false);
    return life.sleep(reason).then(() => life.state === 'napping');
  }

  sseSubscribers(): number {
    let n = 0;
    for (const l of this.lives.values()) n += l.hub.size;
    return n;
  }
}
