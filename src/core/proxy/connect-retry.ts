/**
 * Reaching a route's upstream, for HTTP (forward.ts), WebSocket and TCP routes alike:
 *
 * - Across endpoints: a swarm service has one per task. When the connect to one fails, nothing was sent,
 *   so the request goes on to another task, and the failed one is benched for a while (endpoint-ring.ts)
 *   so later requests do not pay the same failure. An HTTP request that was sent but got no answer is
 *   resent to another task only when it is idempotent (RFC 9110: GET, HEAD, OPTIONS, TRACE, PUT, DELETE)
 *   and its body can be resent (none, or held); a POST that may have reached the app is never repeated.
 * - In the wake grace: a container can be "ready" a moment before its server listens (readiness =
 *   running, no probe). Within a grace period after a wake, a refused connection is retried every
 *   `stepMs` instead of failing the request. Outside it, a refusal on every endpoint is an answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Address } from './upstream.js';

export const RETRYABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ECONNRESET']);

/** Methods a request may be repeated with (RFC 9110 9.2.2). */
export const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export interface Grace {
  /** Until when (ms since the epoch) refusals are retried. */
  until: number;
  stepMs?: number;
}

/** Another endpoint of the route for a request that could not use `failed` (`tried`: all it used); benches `failed` when `unreachable`. */
export type Instead = (failed: Address, tried: readonly Address[], unreachable: boolean) => Address | undefined;

/**
 * Where an HTTP attempt that failed before an answer goes next: `again` on the same upstream (a stale
 * keep-alive socket reset on reuse, once), `other` to another endpoint (nothing was sent, or an
 * idempotent request whose body can be resent), or `fail` (the wake grace aside).
 */
export function nextStep(f: { sent: boolean; resendable: boolean; stale: boolean; staleRetried: boolean; idempotent: boolean }): 'again' | 'other' | 'fail' {
  if (!f.sent) return 'other';
  if (!f.resendable) return 'fail';
  if (f.stale && !f.staleRetried) return 'again';
  return f.idempotent ? 'other' : 'fail';
}

/** Within the grace, a refusal (or a reset of a request that can be resent) is waited out. */
export function inGrace(code: string | undefined, grace: Grace, resendableOrUnsent: boolean, now = Date.now()): boolean {
  return resendableOrUnsent && RETRYABLE.has(code ?? '') && now < grace.until;
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

/**
 * A connection to one of a route's endpoints (TCP and WebSocket routes): `first`, then, while a connect
 * fails, another from `instead` (the failed one benched), until one accepts or all were tried; within
 * the grace, the last one's refusals are retried.
 */
export function connectAny<T>(first: Address, connect: (a: Address) => Promise<T>, instead: Instead, grace: Grace, signal?: AbortSignal): Promise<T> {
  const tried = [first];
  return withConnectGrace(
    async () => {
      for (;;) {
        const addr = tried.at(-1)!;
        try {
          return await connect(addr);
        } catch (err) {
          const next = signal?.aborted ? undefined : instead(addr, tried, true);
          if (!next) throw err;
          tried.push(next);
        }
      }
    },
    grace,
    signal,
  );
}
