/**
 * Reconnect scheduling, in two parts:
 * - `nextDelay(attempt, policy, random)`: a pure schedule (exponential backoff
 *   with full jitter, capped), unit-tested without clocks;
 * - `ReconnectScheduler`: counts attempts, enforces the bound, and carries a
 *   generation counter so a retry scheduled for an old selection never fires
 *   after `bump()` (the selection changed, or a newer connection succeeded).
 * Where a reconnect resumes from, and what it drops, is the resumable
 * stream's cursor (stream/resumable.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** Cap on any one delay, ms. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /** 0 = no jitter; 1 = full jitter (delay drawn from [d*(1-jitter), d]). */
  jitter: number;
  /** Attempts allowed before giving up; Infinity for followers meant to run forever. */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000, factor: 2, jitter: 0.5, maxAttempts: Infinity };

/** Delay before retry number `attempt` (1-based). `random` returns [0, 1). */
export function nextDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = policy.baseMs * Math.pow(policy.factor, Math.max(0, attempt - 1));
  const capped = Math.min(policy.maxMs, exp);
  const low = capped * (1 - policy.jitter);
  return Math.round(low + (capped - low) * random());
}

export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`gave up after ${attempts} attempts`, options);
  }
}

export class ReconnectScheduler {
  private attempt = 0;
  private gen = 0;

  constructor(
    private readonly policy: BackoffPolicy = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
    private readonly sleepFn: (ms: number, signal?: AbortSignal) => Promise<unknown> = (ms, signal) => sleep(ms, undefined, { signal }),
  ) {}

  get attempts(): number {
    return this.attempt;
  }

  get generation(): number {
    return this.gen;
  }

  /** Invalidates every pending retry; returns the new generation. */
  bump(): number {
    return ++this.gen;
  }

  /** A connection worked: the next failure starts the schedule again. */
  succeeded(): void {
    this.attempt = 0;
  }

  /**
   * Waits for the next retry slot. Resolves `true` when the caller should
   * retry, `false` when the generation changed while waiting (stale retry).
   * Throws RetriesExhaustedError at the bound, and the abort reason on abort.
   */
  async wait(signal?: AbortSignal, cause?: unknown): Promise<{ retry: boolean; delayMs: number; attempt: number }> {
    const gen = this.gen;
    this.attempt++;
    if (this.attempt > this.policy.maxAttempts) throw new RetriesExhaustedError(this.attempt - 1, { cause });
    const delayMs = nextDelay(this.attempt, this.policy, this.random);
    await this.sleepFn(delayMs, signal);
    return { retry: gen === this.gen, delayMs, attempt: this.attempt };
  }
}
