/**
 * The lifecycle owner's activity clocks (lifecycle-owner.ts): one per managed
 * container, by id, moved by its counters and by the activity this process
 * sees (serve's requests, streams, connections), and the reference counting
 * of dependencies (when each last had an awake dependent). How long a
 * container has been idle is read here. Entries of containers no longer
 * managed are pruned every round, so memory stays flat.
 */
import { ActivityClock, type Counters } from './counters.js';
import type { IdleConfig } from './config.js';
import { awakeDependents } from './deps.js';
import type { Seen, View } from './listing.js';
import type { LifecycleOwnerOptions } from './owner-options.js';

export interface ClockState {
  name: string;
  lastActivity: number;
  last?: Counters;
}

export class OwnerClocks {
  private readonly clocks = new Map<string, ActivityClock>();
  private readonly names = new Map<string, string>();
  /** Last time a managed container was seen with an awake dependent (ms), by id. */
  private readonly usedAt = new Map<string, number>();

  constructor(
    private readonly o: Pick<LifecycleOwnerOptions, 'activity' | 'fronted' | 'carried'>,
    private readonly now: () => number,
  ) {}

  /**
   * Activity clocks of the containers awake after the last round, by id, for
   * the --once state file (a container asleep now starts a fresh clock when
   * it wakes).
   */
  snapshot(awakeIds: ReadonlySet<string>): Record<string, ClockState> {
    const out: Record<string, ClockState> = {};
    for (const [id, c] of this.clocks) if (awakeIds.has(id)) out[id] = { name: this.names.get(id) ?? id, lastActivity: c.lastActivity, ...(c.last ? { last: c.last } : {}) };
    return out;
  }

  restore(saved: Record<string, ClockState>): void {
    for (const [id, s] of Object.entries(saved)) {
      const c = new ActivityClock(s.lastActivity);
      if (s.last) c.observe(s.last, Infinity);
      c.lastActivity = s.lastActivity;
      this.clocks.set(id, c);
      this.names.set(id, s.name);
    }
  }

  /** Reference counting: a dependency's idle time counts from the last round it had an awake dependent. */
  noteUse(view: Pick<View, 'all' | 'deps' | 'managed'>): void {
    for (const [name, m] of view.managed) {
      if (!m.seen.awake) continue;
      if (this.users(view, name).length) this.usedAt.set(m.seen.id, this.now());
    }
  }

  /**
   * A dependent's stop has just finished: its dependencies had an awake
   * dependent until now, so their idle time counts from here, not from the
   * last round that saw it running (a stop can take seconds).
   */
  dependentStopped(view: Pick<View, 'all' | 'deps'>, name: string): void {
    for (const dep of view.deps.get(name) ?? []) {
      const d = view.all.get(dep);
      if (d) this.usedAt.set(d.id, this.now());
    }
  }

  users(view: Pick<View, 'all' | 'deps'>, name: string): string[] {
    // A dependent this process is waking (a request held for it) counts as awake before it runs.
    const inUse = (n: string) => !!view.all.get(n)?.awake || (this.o.activity?.(n)?.inflight ?? 0) > 0;
    return awakeDependents(name, view.all.keys(), (n) => view.deps.get(n) ?? [], inUse);
  }

  /** How long since its own last activity (its counters, this process's activity); 0 while something is in flight. */
  ownIdleFor(s: Seen): number {
    const ext = this.o.activity?.(s.name);
    if (ext && ext.inflight > 0) return 0;
    return Math.max(0, this.now() - Math.max(this.clock(s).lastActivity, ext?.last ?? 0));
  }

  /** How long a container has been idle: its own activity, and since it last had an awake dependent (reference counting). */
  idleFor(s: Seen): number {
    return Math.min(this.ownIdleFor(s), Math.max(0, this.now() - (this.usedAt.get(s.id) ?? 0)));
  }

  /** Forgets containers that are gone or no longer managed (`ids`: the managed ones). */
  prune(ids: ReadonlySet<string>): void {
    for (const id of this.clocks.keys()) {
      if (ids.has(id)) continue;
      this.clocks.delete(id);
      this.names.delete(id);
    }
    for (const id of this.usedAt.keys()) if (!ids.has(id)) this.usedAt.delete(id);
  }

  /** Fronted and nobody else carries its bytes: its traffic is the proxy's to see, not the counters'. */
  onlyProxied(name: string): boolean {
    return !!this.o.fronted?.(name) && !this.o.carried?.(name);
  }

  /** An only-proxied container's counters are read only for a cpu busy check. */
  readsCounters(name: string, cfg: IdleConfig): boolean {
    return !this.onlyProxied(name) || cfg.busy?.kind === 'cpu';
  }

  /** Traffic above this many bytes per reading is activity; none for an only-proxied container (its proxy sees it all). */
  minBytes(name: string, cfg: IdleConfig): number {
    return this.onlyProxied(name) ? Infinity : cfg.minBytes;
  }

  clock(s: Seen): ActivityClock {
    let c = this.clocks.get(s.id);
    if (!c) this.clocks.set(s.id, (c = new ActivityClock(this.now())));
    this.names.set(s.id, s.name);
    return c;
  }
}
