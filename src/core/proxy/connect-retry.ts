/**
 * Connecting to an app that just woke: a container can be "ready" a moment
 * before its server listens (readiness = running, no probe). Within a grace
 * period after a wake, a refused connection is retried every `stepMs`
 * instead of failing the request. Outside it, a refusal is an answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const RETRYABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ECONNRESET']);

export interface Grace {
  /** Until when (ms since the epoch) refusals are retried. */
  until: number;
  stepMs?: number;
}

/**
 * Calls `attempt` until it succeeds, or fails with a non-retryable error, or the grace is over, or
 * `signal` (shutdown) is aborted. The signal is read between steps, not listened to: a step is short,
 * and every request held for a wake retries at once, so a listener each would pile up on one signal.
 */
export async function withConnectGrace<T>(attempt: () => Promise<T>, grace: Grace, signal?: AbortSignal): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!RETRYABLE.has(code) || Date.now() >= grace.until || signal?.aborted) throw err;
      await sleep(grace.stepMs ?? 10);
      if (signal?.aborted) throw err;
    }
  }
}
