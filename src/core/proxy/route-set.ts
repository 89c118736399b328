/**
 * The live set of routes: the lookup table and one RouteLife per container.
 * `apply` takes a fresh discovery (at start, and after containers are
 * created, removed or renamed): new routes get a life whose state is read
 * from the engine, known ones keep theirs (and their wake in progress),
 * vanished ones are dropped. `sleepIdle` puts to sleep every awake route
 * idle past its timeout with nothing in flight.
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

  sleepIdle(): void {
    for (const life of this.lives.values()) {
      if (!life.awake || life.idle.timeoutMs <= 0) continue;
      if (this.activity.sleepsIn(life.name, life.idle.timeoutMs, life.changedAt) === 0) void life.sleep();
    }
  }

  sseSubscribers(): number {
    let n = 0;
    for (const l of this.lives.values()) n += l.hub.size;
    return n;
  }
}
