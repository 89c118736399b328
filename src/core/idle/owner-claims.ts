/**
 * The lifecycle owner's side of cross-process ownership (claims.ts holds the
 * claim file): each round it takes the claims on the containers it manages,
 * and defers to another live berth process's claim (one line when it must,
 * one when that process is gone); it reads the claim again just before a stop.
 * Without claims the owner assumes it is alone.
 */
import { deferMessage } from './claims.js';
import type { Seen, View } from './listing.js';
import type { LifecycleOwnerOptions } from './owner-options.js';

export class OwnerClaims {
  /** Ids this process defers to another's claim on. */
  private readonly deferred = new Set<string>();

  constructor(private readonly o: Pick<LifecycleOwnerOptions, 'claims' | 'warn'>) {}

  /** Takes the claims on the managed containers; one line for each this process must leave to another. */
  claim(view: View): void {
    const claims = this.o.claims;
    if (!claims) return;
    for (const [name, m] of view.managed) {
      const held = claims.take(m.seen.id, name);
      if (!held) {
        if (this.deferred.delete(m.seen.id)) this.o.warn(`${name}: the berth ${claims.owner === 'serve' ? 'process' : 'serve'} that managed it is gone; managed here again`);
        continue;
      }
      if (!this.deferred.has(m.seen.id)) this.o.warn(deferMessage(name, held));
      this.deferred.add(m.seen.id);
    }
  }

  /** This process defers to another's claim on it (as the last round found). */
  defers(id: string): boolean {
    return this.deferred.has(id);
  }

  /** Another live berth process manages it now (read from the claim file, just before acting). */
  claimedElsewhere(s: Seen): boolean {
    const held = this.o.claims?.holder(s.id);
    if (!held) return false;
    if (!this.deferred.has(s.id)) this.o.warn(deferMessage(s.name, held));
    this.deferred.add(s.id);
    return true;
  }

  /** Releases every claim of this process (at its end). */
  release(): void {
    this.o.claims?.releaseAll();
  }

  /** Forgets containers that are gone or no longer managed (`ids`: the managed ones). */
  prune(ids: ReadonlySet<string>): void {
    for (const id of this.deferred) {
      if (ids.has(id)) continue;
      this.deferred.delete(id);
      this.o.claims?.release(id);
    }
  }
}
