/**
 * The lifecycle owner's judgement of one awake container (lifecycle-owner.ts):
 * kept while it is active, while an awake dependent uses it (and for its own
 * timeout after the last one went), while another berth process claims it,
 * while its busy check says busy; else stopped. Every stop is decided on a
 * fresh reading taken just before acting: the engine listed again when the
 * round's list is older than `freshMs`, its counters re-read, and its open
 * connections to its listening ports (connections.ts), unless
 * `berth.idle.connections=ignore`. One open is activity (its clock touched,
 * one keep record per reason); the stop record says what was checked.
 */
import { checkBusy } from './busy.js';
import type { IdleConfig } from './config.js';
import { CONNECTIONS_LABEL, connectionsVerdict } from './connections.js';
import type { Seen, View } from './listing.js';
import type { LifecycleOwnerOptions } from './owner-options.js';
import type { OwnerClaims } from './owner-claims.js';
import type { OwnerClocks } from './owner-clocks.js';
import type { OwnerReport } from './owner-report.js';
import type { OwnerStops } from './owner-stops.js';
import { fmtMs } from './readiness.js';
import type { Provider } from './types.js';

/** What a judgement reads and acts through: the owner's other parts, and its looks at the engine. */
export interface JudgeParts {
  o: Pick<LifecycleOwnerOptions, 'intervalMs' | 'dryRun' | 'fronted' | 'ownPeer'>;
  provider: Provider;
  now: () => number;
  clocks: OwnerClocks;
  claims: OwnerClaims;
  report: OwnerReport;
  stops: OwnerStops;
  /** A new look at the engine (the round's `look`). */
  look(signal?: AbortSignal): Promise<View>;
  /** The last look: when it was taken (ms) and what it saw. */
  lastLook(): { at: number; view: View | undefined };
}

const roundS = (ms: number) => Math.round(ms / 100) * 100;

export class OwnerJudge {
  constructor(private readonly p: JudgeParts) {}

  /** When the engine was last listed (ms); a reading older than this is taken again before a stop. */
  private get freshMs(): number {
    return Math.min(1000, this.p.o.intervalMs);
  }

  /** Judges an awake container; true when it was put to sleep. */
  async judge(view: View, s: Seen, cfg: IdleConfig, signal: AbortSignal): Promise<boolean> {
    const { clocks, claims, report } = this.p;
    if (cfg.timeoutMs === 0 || clocks.ownIdleFor(s) < cfg.timeoutMs) return this.active(s);
    if (claims.defers(s.id)) return false;
    // Idle itself but used: kept (and said so) while a dependent is awake ...
    const inUse = this.inUse(view, s, clocks.users(view, s.name));
    if (inUse) return inUse;
    // ... and for its own timeout after the last one went.
    if (clocks.idleFor(s) < cfg.timeoutMs) return false;
    // The round's readings may be old by now (a slow stop before this one): decide on a fresh one.
    const checked = await this.freshLook(s, cfg, signal, view);
    if (checked === false) return false;
    const idle = clocks.idleFor(s);
    const clock = clocks.clock(s);
    const busy = cfg.busy ? await checkBusy(this.p.provider, s.id, cfg.busy, clock) : undefined;
    if (busy?.busy) return report.keep(s, `idle for ${fmtMs(roundS(idle))} but ${busy.why}; not stopped`);
    const seen = clocks.onlyProxied(s.name)
      ? 'no request, stream or connection'
      : this.p.o.fronted?.(s.name)
        ? `no request, stream or connection, network <= ${cfg.minBytes} B per reading`
        : `network <= ${cfg.minBytes} B per reading`;
    const reason = `idle for ${fmtMs(roundS(idle))} (${seen}, ${checked}, timeout ${fmtMs(cfg.timeoutMs)})${busy ? `; ${busy.why}` : ''}`;
    if (this.p.o.dryRun) {
      // Judge its dependencies as if it had stopped (view only; it stays awake for the state file).
      s.awake = false;
      return report.keep(s, `${reason}; dry run: would ${cfg.stopMethod}`, 'would_stop');
    }
    // The last check, synchronous with the stop: activity this process sees, and the claim.
    if (clocks.idleFor(s) < cfg.timeoutMs || claims.claimedElsewhere(s)) return false;
    // Begun now, finished in the background: the round goes on with its other decisions.
    this.p.stops.begin(s, cfg, reason);
    return true;
  }

  /**
   * The reading a stop is decided on, taken just before it: the engine listed
   * again (is it still awake, the same container, with no awake dependent?)
   * its counters read again, and its open connections read. False: not to
   * be stopped now; else what the connection check found, for the record.
   */
  private async freshLook(s: Seen, cfg: IdleConfig, signal: AbortSignal, round: View): Promise<string | false> {
    const { clocks, now } = this.p;
    // The round's list is fresh enough when taken within the last interval (at most 1 s); else list again.
    const last = this.p.lastLook();
    const view = now() - last.at <= this.freshMs ? (last.view ?? round) : await this.p.look(signal);
    const seen = view.all.get(s.name);
    if (!seen || seen.id !== s.id || !seen.awake) return false;
    clocks.noteUse(view);
    const inUse = this.inUse(view, s, clocks.users(view, s.name));
    if (inUse) return inUse;
    // The round's counters are fresh enough when read within the last interval (at most 1 s) ago; else read them again.
    const read = clocks.clock(s).last?.at ?? 0;
    if (clocks.readsCounters(s.name, cfg) && now() - read > this.freshMs) {
      const c = await this.p.provider.counters(s.id, signal, now).catch(() => undefined);
      if (!c) return false;
      clocks.clock(s).observe(c, clocks.minBytes(s.name, cfg));
    }
    if (clocks.idleFor(s) < cfg.timeoutMs) return this.active(s);
    const checked = await this.openConnections(s, cfg, signal);
    if (checked === false || this.p.claims.claimedElsewhere(s)) return false;
    return checked;
  }

  /** Active again: its next keep is reported anew, unless the activity was only an open connection's (reported already). */
  private active(s: Seen): false {
    return this.p.report.active(s, this.p.clocks.clock(s).lastActivity);
  }

  /**
   * The established connections to its listening ports, read now: any that counts is activity (its
   * clock touched; kept, said once per reason) and the answer is false; else what was checked.
   */
  private async openConnections(s: Seen, cfg: IdleConfig, signal: AbortSignal): Promise<string | false> {
    if (cfg.connections === 'ignore') return `connections not counted (${CONNECTIONS_LABEL}=ignore)`;
    const { clocks, report } = this.p;
    const reading = await this.p.provider.connections(s.id, signal).catch((err: unknown) => `reading failed: ${(err as Error)?.message ?? String(err)}`);
    const v = connectionsVerdict(reading, this.p.o.ownPeer);
    if (!v.open) {
      if (typeof reading === 'string') report.warnOnce(`connections ${s.name}`, `${s.name}: ${v.why}; it is stopped on its traffic alone (set ${CONNECTIONS_LABEL}=ignore to say so)`);
      return v.why;
    }
    const idle = clocks.idleFor(s);
    clocks.clock(s).touch(this.p.now());
    report.held(s.name, clocks.clock(s).lastActivity);
    return report.keep(s, `idle for ${fmtMs(roundS(idle))} but ${v.why}; not stopped`);
  }

  /**
   * Kept while a dependent is awake: reported (once per reason) naming the
   * dependents, except those whose stop has begun, which are waited for
   * quietly (it sleeps after them). Undefined: no awake dependent.
   */
  private inUse(view: Pick<View, 'all'>, s: Seen, users: string[]): Promise<false> | undefined {
    if (!users.length) return undefined;
    const shown = users.filter((n) => !this.p.stops.has(view.all.get(n)?.id ?? ''));
    if (!shown.length) return Promise.resolve(false);
    return this.p.report.keep(s, `idle for ${fmtMs(roundS(this.p.clocks.ownIdleFor(s)))} but in use by ${shown.join(', ')} (awake dependents)`);
  }
}
