/** A loop's wait between rounds that something (an engine event) can cut short. */
import { setTimeout as sleep } from 'node:timers/promises';

/** Wakes a waiting loop early; `wait` resolves on a fire, after `ms`, or on abort. */
export class Kicker {
  private wake?: () => void;
  private fired = false;

  fire(): void {
    this.fired = true;
    this.wake?.();
  }

  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    if (this.fired) return void (this.fired = false);
    const ac = new AbortController();
    const onAbort = () => ac.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    this.wake = () => ac.abort();
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => {});
    signal.removeEventListener('abort', onAbort);
    this.wake = undefined;
    this.fired = false;
  }
}
