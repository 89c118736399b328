/**
 * Follows one container's logs for as long as it exists: attaches with
 * follow=true; when the stream ends (the container stopped, the engine went
 * away) it looks at the container and re-attaches when it runs again, from
 * the last timestamp delivered (LogCursor: no repeats, no gaps). It waits
 * for a start with `wake()` (driven by engine events), retries an
 * unreachable engine with backoff (ReconnectScheduler), and ends when the
 * container is removed or the signal aborts.
 */
import { BerthError, isConnectionError } from '../errors.js';
import { inspectTarget, type Target } from '../engine/select.js';
import { DEFAULT_BACKOFF, ReconnectScheduler, type BackoffPolicy } from '../reconnect.js';
import { LogCursor } from './cursor.js';
import type { LogLine } from './line.js';
import { containerLogBatches, type LogQuery } from './source.js';

export interface FollowerEnv {
  query: LogQuery;
  /** Hands lines on; returns a promise while the consumer is behind. */
  deliver: (lines: LogLine[]) => Promise<void> | undefined;
  onStatus: (message: string) => void;
  /** The logs could not be read (an engine error, not a removal): said after onStatus. */
  onFailed?: () => void;
  signal: AbortSignal;
  backoff?: BackoffPolicy;
  /** Do not re-attach (--until given): end when the stream ends. */
  once?: boolean;
}

type State = 'running' | 'stopped' | 'gone' | 'unreachable';

export class Follower {
  private readonly cursor = new LogCursor();
  private starts = 0;
  private wakeUp: (() => void) | undefined;
  private attaches = 0;
  private attachedAtNs = BigInt(Date.now()) * 1_000_000n;
  removed = false;
  /** The target's TTY setting is fresh (it never changes): a joining target was just inspected by watchTargets, others once an attach got through. */
  private ttyKnown: boolean;

  /** `joined`: the container started while following, so all of its lines are new. */
  constructor(readonly target: Target, private readonly env: FollowerEnv, private readonly joined = false) {
    this.ttyKnown = joined;
  }

  /**
   * The lines already written, up to `untilNs` (not following), for the
   * caller to merge in time order before following starts; `run()` then goes
   * on from the last of them. Never throws (an abort just ends it).
   */
  async *history(untilNs: bigint): AsyncGenerator<LogLine[]> {
    const q: LogQuery = { ...this.env.query, follow: false };
    if (q.until === undefined || q.until > untilNs) q.until = untilNs;
    this.attaches++;
    this.attachedAtNs = untilNs;
    try {
      for await (const batch of containerLogBatches(this.target, q, this.env.signal)) {
        this.ttyKnown = true;
        const fresh = this.cursor.filter(batch);
        if (fresh.length) yield fresh;
      }
      this.ttyKnown = true;
    } catch {
      // Gone, unreadable or unreachable: run() finds out again, and reports or retries.
    }
  }

  /** The container was destroyed: the follower ends (and says so). */
  markRemoved(): void {
    this.removed = true;
    this.wake();
  }

  /** A start (or destroy) event for this container. */
  wake(): void {
    this.starts++;
    this.wakeUp?.();
  }

  async run(): Promise<void> {
    const scheduler = new ReconnectScheduler(this.env.backoff ?? DEFAULT_BACKOFF);
    const { signal } = this.env;
    while (!signal.aborted && !this.removed) {
      const starts = this.starts;
      let got = 0;
      try {
        got = await this.attach();
      } catch (err) {
        if (signal.aborted) return;
        if (isGone(err)) return this.gone();
        if (err instanceof BerthError && !isUnreachable(err)) {
          this.env.onStatus(`logs of ${this.target.name}: ${err.message}`);
          this.env.onFailed?.();
          return;
        }
        // The connection broke (engine restart, reset): retry with backoff.
        if (!(await backoff(scheduler, signal))) return;
        continue;
      }
      if (this.env.once) return;
      const state = await this.state();
      if (state === 'gone') return this.gone();
      if (state === 'stopped' && this.starts === starts) await this.waitForStart();
      else if (state === 'unreachable' || (state === 'running' && got === 0)) {
        if (!(await backoff(scheduler, signal))) return;
      } else scheduler.succeeded();
    }
    if (this.removed) this.gone();
  }

  /** One attach; returns how many new lines it delivered. */
  private async attach(): Promise<number> {
    const first = this.attaches++ === 0;
    const q: LogQuery = { ...this.env.query, follow: true };
    if (this.ttyKnown) q.tty = this.target.tty;
    if (!first) {
      // Go on from the last line delivered (or from when we last looked, if none was).
      q.tail = undefined;
      q.since = this.cursor.since ?? this.attachedAtNs;
      this.cursor.reattach();
    } else if (this.joined) {
      // It started while we were following: every line it has is new.
      q.tail = undefined;
      q.since = undefined;
    }
    let got = 0;
    for await (const batch of containerLogBatches(this.target, q, this.env.signal)) {
      this.ttyKnown = true;
      const fresh = this.cursor.filter(batch);
      if (fresh.length === 0) continue;
      got += fresh.length;
      const wait = this.env.deliver(fresh);
      if (wait) await wait;
    }
    this.ttyKnown = true;
    return got;
  }

  private async state(): Promise<State> {
    try {
      const t = await inspectTarget(this.target.engine, this.target.id, this.env.signal);
      return t.running ? 'running' : 'stopped';
    } catch (err) {
      if (isGone(err)) return 'gone';
      if (isUnreachable(err) || this.env.signal.aborted) return 'unreachable';
      throw err;
    }
  }

  private waitForStart(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.wakeUp = undefined;
        this.env.signal.removeEventListener('abort', done);
        resolve();
      };
      this.wakeUp = done;
      this.env.signal.addEventListener('abort', done, { once: true });
    });
  }

  private reported = false;

  private gone(): void {
    this.removed = true;
    if (this.reported || this.env.signal.aborted) return;
    this.reported = true;
    this.env.onStatus(`container ${this.target.name} (${this.target.id.slice(0, 12)}) was removed; its logs end here`);
  }
}

function isGone(err: unknown): boolean {
  return err instanceof BerthError && err.code === 'NOT_FOUND';
}

function isUnreachable(err: unknown): boolean {
  return (err instanceof BerthError && err.code === 'ENGINE_UNREACHABLE') || isConnectionError(err) || (err as { code?: string })?.code === 'ECONNRESET';
}

/** Sleeps per the schedule; false when aborted. */
async function backoff(s: ReconnectScheduler, signal: AbortSignal): Promise<boolean> {
  try {
    await s.wait(signal);
    return true;
  } catch {
    return false;
  }
}
