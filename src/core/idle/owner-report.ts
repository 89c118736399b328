/**
 * What the lifecycle owner (lifecycle-owner.ts) says beside its transitions:
 * `keep` records (a decision not to stop, said once per reason, not again
 * while only its idle time grows), and warnings on stderr, each said once
 * (a container whose config cannot be read, one with no timeout, a name
 * that does not exist, connections that cannot be read).
 */
import type { Seen, View } from './listing.js';
import type { LifecycleOwnerOptions } from './owner-options.js';
import type { StateTable } from './state-machine.js';

const iso = (ms: number) => new Date(ms).toISOString();

export class OwnerReport {
  /** By name: the reason of the last keep reported, without its idle time. */
  private readonly kept = new Map<string, string>();
  /** By name: the clock time an open connection set (a keep for it is not re-reported while nothing else moved the clock). */
  private readonly heldAt = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly o: Pick<LifecycleOwnerOptions, 'emit' | 'warn' | 'embedded' | 'names'>,
    private readonly states: StateTable,
    private readonly now: () => number,
  ) {}

  /** Reports a decision not to stop (once per reason); false: nothing was stopped. */
  async keep(s: Seen, reason: string, action: 'keep' | 'would_stop' = 'keep'): Promise<false> {
    const key = reason.replace(/idle for [\d.]+s/, '');
    if (this.kept.get(s.name) === key) return false;
    this.kept.set(s.name, key);
    const state = this.states.get(s.name);
    const to = action === 'would_stop' ? 'napping' : state === 'unknown' ? 'ready' : state;
    await this.o.emit({ type: 'idle', ts: iso(this.now()), container: s.name, id: s.id, from: state, to, reason, action });
    return false;
  }

  /** Active again (its clock at `lastActivity`): its next keep is reported anew, unless the activity was only an open connection's (reported already). */
  active(s: Seen, lastActivity: number): false {
    if (this.heldAt.get(s.name) !== lastActivity) this.kept.delete(s.name);
    return false;
  }

  /** An open connection moved its clock to `at`. */
  held(name: string, at: number): void {
    this.heldAt.set(name, at);
  }

  /** Its stop begins: a keep after it is reported anew. */
  stopping(name: string): void {
    this.kept.delete(name);
  }

  /** Says `message` on stderr unless `key` was said already. */
  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.o.warn(message);
  }

  reportErrors(view: View): void {
    for (const [name, msg] of view.errors) this.warnOnce(msg, `${msg}; ${name} is not managed until this is fixed`);
    for (const m of view.managed.values()) {
      const note = m.config.depsNote;
      if (note) this.warnOnce(note, note);
    }
    for (const [name, m] of view.managed) {
      if (this.o.embedded || m.config.timeoutMs > 0 || m.config.managed) continue;
      this.warnOnce(`no timeout ${name}`, `${name} has no berth.idle.timeout and watch-idle has no --timeout: it is tracked but never stopped`);
    }
    for (const n of this.o.embedded || typeof this.o.names === 'function' ? [] : (this.o.names ?? [])) {
      if (view.all.has(n) || [...view.all.values()].some((s) => s.id.startsWith(n))) continue;
      this.warnOnce(`missing ${n}`, `no such container: ${n}; it is managed from when it exists`);
    }
  }

  /** Forgets containers no longer managed; the warnings said are forgotten past 1000 (said again at most once each). */
  prune(managed: ReadonlyMap<string, unknown>): void {
    for (const name of this.kept.keys()) if (!managed.has(name)) this.kept.delete(name);
    for (const name of this.heldAt.keys()) if (!managed.has(name)) this.heldAt.delete(name);
    if (this.warned.size > 1000) this.warned.clear();
  }
}
