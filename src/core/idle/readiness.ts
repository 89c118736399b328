/**
 * Waiting until a started container is ready, in this order: an explicit
 * probe (HTTP 2xx/3xx or TCP connect), else the Docker HEALTHCHECK status,
 * else, when the caller names the port it will connect to (serve's route),
 * "running and the port accepts a TCP connection", else "running". A
 * dependency's compose condition narrows that:
 * service_started = running, service_healthy = healthy,
 * service_completed_successfully = exited with code 0.
 *
 * Fails fast (FAILED, exit code in the message) when the container exits
 * while starting, and (kind `unhealthy`, as docker compose does for a
 * service_healthy dependency) when its healthcheck reports it unhealthy,
 * whether it is the container woken or a dependency; ends with TIMEOUT
 * after `timeoutMs`. An `unhealthy` with no failed probe behind it (docker
 * says so of a paused container, and keeps saying it after the unpause
 * until the next probe) is a status from before the wake: waited on. A
 * stopped container's last status needs no such care: docker resets it to
 * `starting` when it starts. Polls the engine every
 * `pollMs`; an abort ends the wait at once with the signal's reason.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors.js';
import { WakeFailure } from './wake-failure.js';
import type { DepCondition, Probe } from './config.js';
import { CONTAINER_HOST, describeProbe, probeOnce } from './probe.js';
import type { UnitState } from './provider.js';
import { fmtMs } from '../parse.js';

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
  /** Without a probe or a healthcheck: ready only once this port of the container accepts a TCP connection. */
  port?: number;
}

/** One look at the container: 'ready' with how, 'wait' with what for, or a failure. */
export type Verdict = { kind: 'ready'; how: string } | { kind: 'wait'; what: string } | { kind: 'failed'; error: BerthError };

/** Pure: what a state means for a condition (the probe, when any, is tried by the caller). */
export function judge(name: string, st: UnitState, condition: DepCondition, hasProbe: boolean, port?: number): Verdict {
  if (condition === 'service_completed_successfully') {
    if (st.running) return { kind: 'wait', what: 'it to complete' };
    if (st.exitCode === 0) return { kind: 'ready', how: 'completed successfully' };
    return { kind: 'failed', error: exitedError(name, st.exitCode, 'before completing successfully') };
  }
  if (!st.running) return { kind: 'failed', error: exitedError(name, st.exitCode, 'while starting') };
  if (st.paused) return { kind: 'wait', what: 'it to be unpaused' };
  if (st.pending) return { kind: 'wait', what: st.pending };
  if (condition === 'service_started') return { kind: 'ready', how: 'running' };
  if (hasProbe && condition === 'ready') return { kind: 'wait', what: 'the probe' };
  if (st.health === 'healthy') return { kind: 'ready', how: 'healthy' };
  if (st.health === 'unhealthy' && st.failingStreak !== 0) return { kind: 'failed', error: unhealthyError(name, st) };
  if (st.health) return { kind: 'wait', what: `its healthcheck (now ${st.health})` };
  if (condition === 'service_healthy') {
    // As docker compose does: a dependency that must be healthy but has no healthcheck can never be.
    return {
      kind: 'failed',
      error: new BerthError('CONFIG', `${name} has no healthcheck, but a dependent waits for it to be healthy (service_healthy)`, {
        hint: 'give it a HEALTHCHECK, or depend on it with service_started',
      }),
    };
  }
  if (port !== undefined && condition === 'ready') return { kind: 'wait', what: portWait(port) };
  return { kind: 'ready', how: 'running' };
}

const portWait = (port: number) => `port ${port} to accept connections`;

export function exitedError(name: string, code: number | undefined, when: string): BerthError {
  return new WakeFailure('exited', name, `${name} exited with code ${code ?? 'unknown'} ${when}`, { hint: `see why with: docker logs ${name}` });
}

export function unhealthyError(name: string, st: Pick<UnitState, 'failingStreak' | 'healthOutput'>): WakeFailure {
  const n = st.failingStreak;
  const streak = n ? `: its healthcheck failed ${n} time${n === 1 ? '' : 's'} in a row` : '';
  return new WakeFailure('unhealthy', name, `${name} is unhealthy${streak}${st.healthOutput ? ` (last output: ${st.healthOutput})` : ''}`);
}

export async function waitReady(target: ReadinessTarget, name: string, o: ReadyOptions): Promise<string> {
  return (await readyState(target, name, o)).how;
}

/** As waitReady, with the state the verdict was read from (where the unit is reached now: its address). */
export async function readyState(target: ReadinessTarget, name: string, o: ReadyOptions): Promise<{ how: string; state: UnitState }> {
  const end = Date.now() + o.timeoutMs;
  const condition = o.condition ?? 'ready';
  let what = 'it to start';
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason;
    const st = await target.state(name, o.signal);
    const v = judge(name, st, condition, !!o.probe, o.port);
    if (v.kind === 'failed') throw v.error;
    if (v.kind === 'ready') return { how: v.how, state: st };
    what = v.what;
    const attemptMs = Math.min(2000, Math.max(100, end - Date.now()));
    if (what === 'the probe' && (await tryProbe(target, name, st, o.probe!, attemptMs))) return { how: `probe ${describeProbe(o.probe!)} answered`, state: st };
    if (o.port !== undefined && what === portWait(o.port) && (await tryProbe(target, name, st, { kind: 'tcp', host: CONTAINER_HOST, port: o.port }, attemptMs))) {
      return { how: `running, port ${o.port} accepting connections`, state: st };
    }
    const left = end - Date.now();
    if (left <= 0) {
      throw new WakeFailure('timeout', name, `${name} was not ready after ${fmtMs(o.budgetMs ?? o.timeoutMs)} (waiting for ${what})`);
    }
    await sleep(Math.min(o.pollMs ?? 200, left), undefined, o.signal ? { signal: o.signal } : undefined).catch(() => {
      throw o.signal!.reason;
    });
  }
}

/** One probe attempt, at the address the state just read carries (no second look at the engine). */
async function tryProbe(target: ReadinessTarget, name: string, st: UnitState, probe: Probe, timeoutMs: number): Promise<boolean> {
  const address = st.address ?? (target.address ? await target.address(name) : undefined);
  return probeOnce(probe, address, timeoutMs);
}

export { fmtMs } from '../parse.js';
