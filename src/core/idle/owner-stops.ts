/**
 * The lifecycle owner's stops (lifecycle-owner.ts): begun by a round and
 * finished in the background, so a slow stop delays no other decision; a
 * stop once begun is finished whatever the signal, and `settle` waits for
 * them all. The caller may own a container's stop (serve, for its routes);
 * else it goes through the Provider. A stop the engine refuses leaves the
 * container in `error`, tried again after another timeout.
 */
import type { IdleConfig } from './config.js';
import type { Seen } from './listing.js';
import type { LifecycleOwnerOptions } from './owner-options.js';
import type { OwnerClocks } from './owner-clocks.js';
import type { OwnerReport } from './owner-report.js';
import type { StateTable } from './state-machine.js';
import type { Provider } from './types.js';

export class OwnerStops {
  /** Stops begun and not yet finished, by id: a round does not wait for them (a slow stop delays no other decision). */
  private readonly stopping = new Map<string, Promise<boolean>>();

  constructor(
    private readonly o: Pick<LifecycleOwnerOptions, 'sleep' | 'emit'>,
    private readonly provider: Provider,
    private readonly states: StateTable,
    private readonly clocks: OwnerClocks,
    private readonly report: OwnerReport,
    private readonly now: () => number,
    /** Told when a stop has finished, before its record (the dependencies' clocks count from then). */
    private readonly stopped: (s: Seen) => void = () => {},
  ) {}

  /** A stop of this container (by id) is under way. */
  has(id: string): boolean {
    return this.stopping.has(id);
  }

  /** Begins its stop; finished in the background. */
  begin(s: Seen, cfg: IdleConfig, reason: string): void {
    const id = s.id;
    this.stopping.set(
      id,
      this.sleepNow(s, cfg, reason).finally(() => this.stopping.delete(id)),
    );
  }

  /** Waits for the stops begun (a stop once begun is finished, and its record printed). */
  async settle(): Promise<void> {
    while (this.stopping.size) await Promise.all(this.stopping.values());
  }

  /** Stops it; false when the engine refused (then it is in `error`, and tried again after another timeout). */
  private async sleepNow(s: Seen, cfg: IdleConfig, reason: string): Promise<boolean> {
    this.report.stopping(s.name);
    const own = this.o.sleep?.(s.name, cfg, reason);
    if (own) {
      const slept = await own;
      if (slept) this.stopped(s);
      if (slept) this.states.apply(s.name, { kind: 'sleep' }, reason, { id: s.id });
      return slept;
    }
    try {
      await this.provider.stop(s.id, cfg.stopMethod, { ...(cfg.stopSignal ? { signal: cfg.stopSignal } : {}), ...(cfg.stopTimeoutSec !== undefined ? { timeoutSec: cfg.stopTimeoutSec } : {}) });
    } catch (err) {
      const rec = this.states.apply(s.name, { kind: 'fail' }, `could not ${cfg.stopMethod}: ${(err as Error).message}`, { id: s.id });
      if (rec) await this.o.emit(rec);
      this.clocks.clock(s).touch(this.now());
      return false;
    }
    this.stopped(s);
    const rec = this.states.apply(s.name, { kind: 'sleep' }, reason, { id: s.id, action: cfg.stopMethod });
    if (rec) await this.o.emit(rec);
    return true;
  }
}
