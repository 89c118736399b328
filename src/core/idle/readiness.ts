/**
 * Waiting until a started container is ready, in this order: an explicit
 * probe (HTTP 2xx/3xx or TCP connect), else the Docker HEALTHCHECK status,
 * else "running". A dependency's compose condition narrows that:
 * service_started = running, service_healthy = healthy,
 * service_completed_successfully = exited with code 0.
 *
 * Fails fast (FAILED, exit code in the message) when the container exits
 * while starting; ends with TIMEOUT after `timeoutMs`. Polls the engine every
 * `pollMs`; an abort ends the wait at once with the signal's reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors.js';
import type { DepCondition, Probe } from './config.js';
import { describeProbe, probeOnce } from './probe.js';
import type { UnitState } from './provider.js';

export interface ReadinessTarget {
  state(name: string, signal?: AbortSignal): Promise<UnitState>;
  address?(name: string, signal?: AbortSignal): Promise<string | undefined>;
}

export interface ReadyOptions {
  condition?: DepCondition;
  probe?: Probe;
  timeoutMs: number;
  /** The budget the timeout message names (the whole wake's), when not timeoutMs. */
  budgetMs?: number;
  signal?: AbortSignal;
  pollMs?: number;
}

/** One look at the container: 'ready' with how, 'wait' with what for, or a failure. */
export type Verdict = { kind: 'ready'; how: string } | { kind: 'wait'; what: string } | { kind: 'failed'; error: BerthError };

/** Pure: what a state means for a condition (the probe, when any, is tried by the caller). */
export function judge(name: string, st: UnitState, condition: DepCondition, hasProbe: boolean): Verdict {
  if (condition === 'service_completed_successfully') {
    if (st.running) return { kind: 'wait', what: 'it to complete' };
    if (st.exitCode === 0) return { kind: 'ready', how: 'completed successfully' };
    return { kind: 'failed', error: exitedError(name, st.exitCode, 'before completing successfully') };
  }
  if (!st.running) return { kind: 'failed', error: exitedError(name, st.exitCode, 'while starting') };
  if (st.paused) return { kind: 'wait', what: 'it to be unpaused' };
  if (condition === 'service_started') return { kind: 'ready', how: 'running' };
  if (hasProbe && condition === 'ready') return { kind: 'wait', what: 'the probe' };
  if (st.health === 'healthy') return { kind: 'ready', how: 'healthy' };
  if (st.health) return { kind: 'wait', what: `its healthcheck (now ${st.health})` };
  if (condition === 'service_healthy') {
    // As docker compose does: a dependency that must be healthy but has no healthcheck can never be.
    return { kind: 'failed', error: new BerthError('CONFIG', `${name} has no healthcheck, but a dependent waits for it to be healthy (service_healthy)`, { hint: 'give it a HEALTHCHECK, or depend on it with service_started' }) };
  }
  return { kind: 'ready', how: 'running' };
}

export function exitedError(name: string, code: number | undefined, when: string): BerthError {
  return new BerthError('FAILED', `${name} exited with code ${code ?? 'unknown'} ${when}`, { hint: `see why with: docker logs ${name}` });
}

export async function waitReady(target: ReadinessTarget, name: string, o: ReadyOptions): Promise<string> {
  const end = Date.now() + o.timeoutMs;
  const condition = o.condition ?? 'ready';
  let what = 'it to start';
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason;
    const v = judge(name, await target.state(name, o.signal), condition, !!o.probe);
    if (v.kind === 'failed') throw v.error;
    if (v.kind === 'ready') return v.how;
    what = v.what;
    if (what === 'the probe' && (await tryProbe(target, name, o.probe!, Math.min(2000, Math.max(100, end - Date.now())), o.signal))) {
      return `probe ${describeProbe(o.probe!)} answered`;
    }
    const left = end - Date.now();
    if (left <= 0) throw new BerthError('TIMEOUT', `${name} was not ready after ${fmtMs(o.budgetMs ?? o.timeoutMs)} (waiting for ${what})`);
    await sleep(Math.min(o.pollMs ?? 200, left), undefined, o.signal ? { signal: o.signal } : undefined).catch(() => {
      throw o.signal!.reason;
    });
  }
}

async function tryProbe(target: ReadinessTarget, name: string, probe: Probe, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const address = target.address ? await target.address(name, signal) : undefined;
  return probeOnce(probe, address, timeoutMs);
}

export const fmtMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`);
