/**
 * ContainerProvider: the idle lifecycle's operations on plain containers of
 * one engine (the Engine value is passed in, never global). Every operation
 * is idempotent, so two berth processes acting on the same container at the
 * same time do no harm: starting a started container, unpausing a running
 * one or stopping a stopped one is a no-op, not an error.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { containerAction, inspectContainer, inspectExec, startDetachedExec, type ContainerDetails } from '../engine/containers.js';
import { toBerthError } from '../engine/request.js';
import { BerthError } from '../errors.js';
import { bareName } from '../engine/labels.js';
import { healthcheckOverdue, runHealthcheck } from '../engine/podman.js';
import type { Provider, StopMethod } from './types.js';
import { readCounters, type Counters } from './counters.js';
import { readContainerInbound, type InboundReading } from './connections.js';
import { EXEC_TIMEOUT_MS } from './busy.js';
import { listAll, type Seen } from './listing.js';
import { EngineWatcher } from '../select/engine-watcher.js';
import { statusOf } from '../select/membership.js';
import { fmtMs } from '../parse.js';

export interface UnitState {
  running: boolean;
  paused: boolean;
  exitCode?: number;
  health?: string;
  /**
   * How many health probes in a row failed (docker's FailingStreak), when known. Docker reports a
   * paused container `unhealthy` with a streak of 0, and keeps that status after the unpause until its
   * next probe: an `unhealthy` with no failed probe behind it is not believed (readiness.ts).
   */
  failingStreak?: number;
  /** The last health probe's output, first line (for the message of an unhealthy failure). */
  healthOutput?: string;
  id: string;
  /** Where the container is reached (its first network address; 127.0.0.1 with host networking), read with the state. */
  address?: string;
  /** Awake but not all there yet (a swarm service with fewer tasks running than desired): what a wake still waits for. */
  pending?: string;
}

function addressOf(info: ContainerDetails): string | undefined {
  for (const n of Object.values(info.NetworkSettings?.Networks ?? {})) if (n?.IPAddress) return n.IPAddress;
  if (info.NetworkSettings?.IPAddress) return info.NetworkSettings.IPAddress;
  return info.HostConfig?.NetworkMode === 'host' ? '127.0.0.1' : undefined;
}

export function stateOf(info: ContainerDetails): UnitState {
  const address = s0(info) ? addressOf(info) : undefined;
  const s = info.State;
  return {
    id: info.Id,
    running: !!s?.Running,
    paused: !!s?.Paused,
    ...(s && !s.Running ? { exitCode: s.ExitCode } : {}),
    ...healthOf(info),
    ...(address ? { address } : {}),
  };
}

type HealthLog = { Status?: string; FailingStreak?: number; Log?: Array<{ Output?: string }> };

/** The healthcheck's status, failing streak and last output, as a container's inspect gives them. */
export function healthOf(info: ContainerDetails): Pick<UnitState, 'health' | 'failingStreak' | 'healthOutput'> {
  const h = (info.State as { Health?: HealthLog } | undefined)?.Health;
  if (!h?.Status) return {};
  const output = h.Log?.at(-1)?.Output?.trim().split('\n')[0]?.slice(0, 200);
  return { health: h.Status, ...(typeof h.FailingStreak === 'number' ? { failingStreak: h.FailingStreak } : {}), ...(output ? { healthOutput: output } : {}) };
}

const s0 = (info: ContainerDetails) => !!info.State?.Running;

/** Status codes that mean "already in the state you asked for". */
const isNoop = (err: unknown) => {
  const status = (err as { statusCode?: number }).statusCode;
  const msg = String((err as Error).message ?? '');
  return status === 304 || (status === 409 && /not (running|paused)|already paused|is paused/i.test(msg));
};

export class ContainerProvider implements Provider {
  constructor(readonly engine: Engine) {}

  async inspect(name: string, signal?: AbortSignal): Promise<ContainerDetails> {
    try {
      return await inspectContainer(this.engine, name, signal);
    } catch (err) {
      throw this.error(err, name, signal);
    }
  }

  async state(name: string, signal?: AbortSignal): Promise<UnitState> {
    const info = await this.inspect(name, signal);
    if (this.engine.flavor === 'podman' && healthcheckOverdue(info, Date.now())) return stateOf(await this.runOverdueCheck(name, info, signal));
    return stateOf(info);
  }

  /**
   * Podman without systemd runs no healthcheck (engine/podman.ts): berth runs an overdue one itself, so a
   * wait on the health ends as it would on docker. When Podman will not run it, the wait ends at once
   * saying why, not at the end of its budget.
   */
  private async runOverdueCheck(name: string, info: ContainerDetails, signal?: AbortSignal): Promise<ContainerDetails> {
    try {
      await runHealthcheck(this.engine, info.Id, signal);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      throw new BerthError('FAILED', `${name}'s health will not change: Podman runs healthchecks from systemd timers, none ran it, and Podman's API did not either (${(err as Error).message})`, {
        hint: `run it with: podman healthcheck run ${name}`,
      });
    }
    return this.inspect(name, signal);
  }

  /** Starts a stopped container or unpauses a paused one; a running one is left as it is. `known`: its state, just read. */
  async start(name: string, signal?: AbortSignal, known?: UnitState): Promise<void> {
    const st = known ?? (await this.state(name, signal));
    if (st.running && !st.paused) return;
    await this.call(name, signal, () => containerAction(this.engine, name, st.paused ? 'unpause' : 'start', undefined, signal));
  }

  /**
   * Puts a container to sleep. `stop` with a signal sends it, waits up to
   * timeoutSec (default 10) and then kills, as `docker stop --signal` does.
   * Not cancellable on purpose: a stop once begun is finished.
   */
  async stop(name: string, method: StopMethod, opts: { signal?: string; timeoutSec?: number } = {}): Promise<void> {
    const act = (action: 'pause' | 'kill' | 'stop', query?: Record<string, unknown>) => this.call(name, undefined, () => containerAction(this.engine, name, action, query));
    if (method === 'pause') return act('pause');
    if (method === 'kill') return act('kill', { signal: opts.signal ?? 'SIGKILL' });
    if (!opts.signal) return act('stop', opts.timeoutSec !== undefined ? { t: opts.timeoutSec } : undefined);
    await act('kill', { signal: opts.signal });
    if (await this.waitDown(name, (opts.timeoutSec ?? 10) * 1000)) return;
    await act('kill', { signal: 'SIGKILL' });
  }

  /** Polls until the container is no longer running; false when `ms` passed first. */
  async waitDown(name: string, ms: number): Promise<boolean> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (!(await this.state(name)).running) return true;
      await sleep(100);
    }
    return false;
  }

  /** From the engine's one watcher (kept by events) while `signal` lives; without one, a listing. */
  async list(signal?: AbortSignal): Promise<Seen[]> {
    if (!signal) return listAll(this.engine, signal);
    const now = Date.now();
    return (await EngineWatcher.of(this.engine).members(signal)).map((m) => ({
      id: m.id,
      name: m.name,
      labels: m.labels,
      running: m.running,
      paused: m.paused,
      awake: m.awake,
      status: statusOf(m, now),
    }));
  }

  counters(id: string, signal: AbortSignal, now?: () => number): Promise<Counters> {
    return readCounters(this.engine, id, signal, now);
  }

  connections(id: string, signal?: AbortSignal): Promise<InboundReading> {
    return readContainerInbound(this.engine, id, signal);
  }

  exec(id: string, cmd: string[]): Promise<number | string> {
    return runCheck(this.engine, id, cmd);
  }

  changes(signal: AbortSignal): AsyncIterable<unknown> {
    return EngineWatcher.of(this.engine).changes(['start', 'die', 'pause', 'unpause'], signal);
  }

  /** The container's address on its first network with one (for probes with host "container"). */
  async address(name: string, signal?: AbortSignal): Promise<string | undefined> {
    const nets = (await this.inspect(name, signal)).NetworkSettings?.Networks ?? {};
    for (const n of Object.values(nets)) if (n?.IPAddress) return n.IPAddress;
    return undefined;
  }

  private async call(name: string, signal: AbortSignal | undefined, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      if (isNoop(err)) return;
      throw this.error(err, name, signal);
    }
  }

  private error(err: unknown, name: string, signal?: AbortSignal): unknown {
    const e = toBerthError(this.engine, err, signal);
    if (e instanceof BerthError && e.code === 'NOT_FOUND') return new BerthError('NOT_FOUND', `no such container: ${bareName(name)}`, { cause: err });
    return e;
  }
}

/** Runs the command in a container; its exit code, or why there is none (ContainerProvider.exec, ServiceProvider.exec). */
export async function runCheck(engine: Engine, id: string, cmd: string[]): Promise<number | string> {
  try {
    const exec = await startDetachedExec(engine, id, cmd);
    const end = Date.now() + EXEC_TIMEOUT_MS;
    while (Date.now() < end) {
      const info = await inspectExec(engine, exec);
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
      await sleep(50);
    }
    return `no answer within ${fmtMs(EXEC_TIMEOUT_MS)}`;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}
