/**
 * ServiceProvider: the idle lifecycle's operations on swarm services, the
 * second implementation of the Provider seam (idle/types.ts) beside
 * containers. The wake path, the lifecycle owner and their single flight,
 * reference counts and claims are the same code; only these operations
 * differ:
 *
 * - sleeping = scaling a replicated service to 0; waking = scaling it back
 *   to `berth.idle.replicas`, else the count berth saw before it slept it
 *   (kept in the service's own `berth.state.replicas` label, written by the
 *   same update, so any berth process wakes it to that count), else its
 *   PreviousSpec's count, else 1. Global services are refused.
 * - A scale is one POST /services/{id}/update of the spec just read with its
 *   Version; a stale version ("update out of sequence", HTTP 500) is read
 *   again and retried, so a concurrent change to the spec (an env-add, an
 *   image) is kept, never overwritten by an old copy.
 * - state: awake when the desired count is above 0; `pending` while fewer
 *   tasks run than desired (a wake waits for them); health `healthy` when the
 *   service has a healthcheck and every running task's container says so on
 *   its node (nodes berth reaches; one it does not reach counts as starting),
 *   `unhealthy` as soon as one task's container is (a wake fails at once).
 * - activity counters: the sum of the network counters of the service's
 *   running task containers, read on each node berth reaches.
 * - open connections: those of every running task's container, each read on
 *   its node (idle/connections.ts: its /proc when the node is this host, else
 *   an exec); a task on a node berth does not reach, or whose container cannot
 *   be read, makes the reading unknown (the record says which) unless another
 *   task has an open connection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { inspectContainer } from '../engine/containers.js';
import { toBerthError } from '../engine/request.js';
import { BerthError } from '../errors.js';
import { watchEvents } from '../events/watcher.js';
import type { Counters } from '../idle/counters.js';
import { readCounters } from '../idle/counters.js';
import { readContainerInbound, type InboundReading } from '../idle/connections.js';
import { healthOf, runCheck, type UnitState } from '../idle/provider.js';
import type { Provider, Seen, StopMethod } from '../idle/types.js';
import { listTasks, type Cluster, type TaskReply } from './cluster.js';
import { idleConfigFor, type ConfigFile } from '../idle/config-file.js';
import { STACK_NAMESPACE } from '../engine/labels.js';
import type { LogArchive } from './archive.js';

/** Written by berth on a service it scales to 0: the count it had (read back by a wake). */
export const REPLICAS_STATE_LABEL = 'berth.state.replicas';
/** How long a sleep waits for its tasks to stop while their logs are archived (their stop grace period is 10 s by default). */
export const ARCHIVE_WAIT_MS = 60_000;
/** Attempts of one scale against "update out of sequence" (each after a fresh read). */
export const SCALE_ATTEMPTS = 20;

export interface ServiceSpec {
  Name?: string;
  Labels?: Record<string, string>;
  Mode?: { Replicated?: { Replicas?: number }; Global?: object };
  TaskTemplate?: { ContainerSpec?: { Healthcheck?: { Test?: string[] } } };
  [key: string]: unknown;
}

export interface ServiceInfo {
  ID: string;
  Version?: { Index?: number };
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
}

const outOfSequence = (err: unknown) => /update out of sequence/i.test(String((err as Error)?.message ?? ''));

/** Pure: the count a wake scales a service back to (see the file comment); `configured`: berth.idle.replicas, parsed. */
export function wakeReplicas(svc: ServiceInfo, configured?: number): number {
  if (configured !== undefined) return configured;
  const remembered = Number(svc.Spec.Labels?.[REPLICAS_STATE_LABEL]);
  if (Number.isInteger(remembered) && remembered > 0) return remembered;
  const previous = svc.PreviousSpec?.Mode?.Replicated?.Replicas;
  if (previous !== undefined && previous > 0) return previous;
  return 1;
}

/** Pure: the spec of a scale to `replicas`, from the spec just read; a scale to 0 remembers the count it had. */
export function scaledSpec(spec: ServiceSpec, replicas: number): ServiceSpec {
  const from = spec.Mode?.Replicated?.Replicas ?? 1;
  const labels = { ...(spec.Labels ?? {}) };
  if (replicas === 0 && from > 0) labels[REPLICAS_STATE_LABEL] = String(from);
  return { ...spec, Labels: labels, Mode: { ...spec.Mode, Replicated: { ...spec.Mode?.Replicated, Replicas: replicas } } };
}

export class ServiceProvider implements Provider {
  readonly manager: Engine;
  readonly wording = { started: 'scaled up', ready: 'every task running, and healthy when it has a healthcheck' };
  private readonly nodes: Map<string, Engine>;

  readonly file: ConfigFile | undefined;

  constructor(
    readonly cluster: Cluster,
    private readonly o: {
      /** The --config file: its berth.idle.replicas for a service wins over the label. */
      file?: ConfigFile;
      /** --stack: list() sees only this stack's services. */
      stack?: string;
      /** Called before each update attempt (tests use it to race a concurrent change). */
      beforeUpdate?: (attempt: number) => Promise<void>;
      /** --archive: the tasks' logs are kept before a scale to 0 removes them (archive.ts). */
      archive?: LogArchive;
      warn?: (message: string) => void;
    } = {},
  ) {
    this.file = o.file;
    this.manager = cluster.manager;
    this.nodes = new Map(cluster.nodes.flatMap((n) => (n.engine ? [[n.id, n.engine] as const] : [])));
  }

  async inspect(nameOrId: string, signal?: AbortSignal): Promise<ServiceInfo> {
    try {
      return await this.manager.api.json<ServiceInfo>({ path: `/services/${encodeURIComponent(nameOrId)}`, signal });
    } catch (err) {
      const e = toBerthError(this.manager, err, signal);
      if (e instanceof BerthError && e.code === 'NOT_FOUND')
        return Promise.reject(new BerthError('NOT_FOUND', `no such service: ${nameOrId}`, { hint: 'list services with: docker service ls', cause: err }));
      throw e;
    }
  }

  async state(name: string, signal?: AbortSignal): Promise<UnitState> {
    const svc = await this.inspect(name, signal);
    const desired = replicatedCount(svc);
    const running = (await this.tasks(svc.ID, signal)).filter((t) => t.Status?.State === 'running' && t.DesiredState === 'running');
    const st: UnitState = { id: svc.ID, running: desired > 0, paused: false };
    if (desired > 0 && running.length < desired) st.pending = `${desired} tasks to run (${running.length} now)`;
    else if (desired > 0 && svc.Spec.TaskTemplate?.ContainerSpec?.Healthcheck?.Test?.length && svc.Spec.TaskTemplate.ContainerSpec.Healthcheck.Test[0] !== 'NONE') {
      Object.assign(st, await this.health(running, signal));
    }
    return st;
  }

  /** Scales the service back up (see wakeReplicas); a service already scaled up is left as it is. */
  async start(name: string, signal?: AbortSignal): Promise<void> {
    const target = (svc: ServiceInfo) => (replicatedCount(svc) > 0 ? undefined : wakeReplicas(svc, idleConfigFor(svc.Spec.Name ?? svc.ID, svc.Spec.Labels ?? {}, this.file).replicas));
    await this.scale(name, target, signal);
  }

  /** Scales the service to 0 (every stop method means that for a service). Not cancellable: a stop once begun is finished. */
  async stop(name: string, _method: StopMethod, _opts: { signal?: string; timeoutSec?: number } = {}): Promise<void> {
    const archive = this.o.archive;
    if (!archive) return this.scale(name, () => 0);
    const svc = await this.inspect(name);
    const service = svc.Spec.Name ?? svc.ID;
    const capture = await archive.open(service).catch((err: unknown) => void this.o.warn?.(`--archive: ${service}: ${(err as Error).message}`));
    await this.scale(svc.ID, () => 0);
    await capture?.finish(ARCHIVE_WAIT_MS).catch((err: unknown) => this.o.warn?.(`--archive: ${service}: ${(err as Error).message}`));
  }

  /**
   * One scale: read, change the count, update with the version read; on "update out of sequence" read
   * again (the spec another client just wrote) and retry. `target` says the count from the fresh read
   * (undefined: nothing to do).
   */
  async scale(name: string, target: (svc: ServiceInfo) => number | undefined, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const svc = await this.inspect(name, signal);
      const replicas = target(svc);
      if (replicas === undefined || replicas === replicatedCount(svc)) return;
      await this.o.beforeUpdate?.(attempt);
      try {
        await this.manager.api.json({
          method: 'POST',
          path: `/services/${encodeURIComponent(svc.ID)}/update`,
          query: { version: svc.Version?.Index ?? 0 },
          body: scaledSpec(svc.Spec, replicas),
          signal,
        });
        return;
      } catch (err) {
        if (outOfSequence(err) && attempt < SCALE_ATTEMPTS) {
          await sleep(20 * attempt, undefined, signal ? { signal } : {});
          continue;
        }
        throw toBerthError(this.manager, err, signal);
      }
    }
  }

  async list(signal?: AbortSignal): Promise<Seen[]> {
    let services: ServiceInfo[];
    try {
      const filters = this.o.stack !== undefined ? { label: [`${STACK_NAMESPACE}=${this.o.stack}`] } : undefined;
      services = await this.manager.api.json<ServiceInfo[]>({ path: '/services', signal, ...(filters ? { query: { filters } } : {}) });
    } catch (err) {
      throw toBerthError(this.manager, err, signal);
    }
    return services.map((s) => {
      const desired = s.Spec.Mode?.Global ? 1 : (s.Spec.Mode?.Replicated?.Replicas ?? 1);
      return {
        id: s.ID,
        name: s.Spec.Name ?? s.ID,
        labels: s.Spec.Labels ?? {},
        running: desired > 0,
        awake: desired > 0,
        paused: false,
        status: s.Spec.Mode?.Global ? 'global' : `replicas ${desired}`,
      };
    });
  }

  /** The sum of the network counters of the service's running tasks on the nodes berth reaches. */
  async counters(id: string, signal: AbortSignal, now = Date.now): Promise<Counters> {
    const running = (await this.tasks(id, signal)).filter((t) => t.Status?.State === 'running');
    const readings = await Promise.all(
      running.map((t) => {
        const engine = this.nodes.get(t.NodeID ?? '');
        const cid = t.Status?.ContainerStatus?.ContainerID;
        return engine && cid ? readCounters(engine, cid, signal, now).catch(() => undefined) : undefined;
      }),
    );
    const read = readings.filter((r): r is Counters => !!r);
    return { at: now(), bytes: read.reduce((a, r) => a + r.bytes, 0), tx: read.reduce((a, r) => a + (r.tx ?? 0), 0) };
  }

  /** Every running task's open connections; unknown (with why) when one cannot be read and none is open elsewhere. */
  async connections(id: string, signal?: AbortSignal): Promise<InboundReading> {
    const running = (await this.tasks(id, signal)).filter((t) => t.Status?.State === 'running');
    const readings = await Promise.all(
      running.map(async (t) => {
        const engine = this.nodes.get(t.NodeID ?? '');
        const cid = t.Status?.ContainerStatus?.ContainerID;
        if (!engine || !cid) return `task ${t.ID ?? '?'}: on a node berth does not reach`;
        const r = await readContainerInbound(engine, cid, signal);
        return typeof r === 'string' ? `task ${t.ID ?? '?'}: ${r}` : r;
      }),
    );
    const open = readings.filter((r): r is Exclude<InboundReading, string> => typeof r !== 'string').flat();
    const unknown = readings.find((r): r is string => typeof r === 'string');
    return unknown !== undefined && !open.length ? unknown : open;
  }

  /** A busy check runs in one running task's container, on a node berth reaches. */
  async exec(id: string, cmd: string[]): Promise<number | string> {
    for (const t of await this.tasks(id)) {
      const engine = this.nodes.get(t.NodeID ?? '');
      const cid = t.Status?.ContainerStatus?.ContainerID;
      if (t.Status?.State === 'running' && engine && cid) return runCheck(engine, cid, cmd);
    }
    return 'no running task on a node berth reaches';
  }

  changes(signal: AbortSignal): AsyncIterable<unknown> {
    return watchEvents(this.manager, { filters: { type: ['service'] } }, signal);
  }

  private async tasks(serviceId: string, signal?: AbortSignal): Promise<TaskReply[]> {
    try {
      return await listTasks(this.manager, [serviceId], signal);
    } catch (err) {
      throw toBerthError(this.manager, err, signal);
    }
  }

  /** The service's health from its running tasks' containers (serviceHealth); a task on a node berth cannot reach: unknown. */
  private async health(running: TaskReply[], signal?: AbortSignal): Promise<Pick<UnitState, 'health' | 'failingStreak' | 'healthOutput'>> {
    const seen = await Promise.all(
      running.map(async (t) => {
        const engine = this.nodes.get(t.NodeID ?? '');
        const cid = t.Status?.ContainerStatus?.ContainerID;
        const info = engine && cid ? await inspectContainer(engine, cid, signal).catch(() => undefined) : undefined;
        return { task: t.ID, ...(info ? healthOf(info) : {}) };
      }),
    );
    return serviceHealth(seen);
  }
}

/**
 * Pure: a service's health from its running tasks' (undefined health: not known, as starting):
 * unhealthy as soon as one task's container is (with a failed probe behind it; its streak and last
 * output, the task named), so a wake fails at once; healthy when every one is; else the first other
 * status (a paused container's unhealthy with no failed probe keeps its streak of 0: waited on).
 */
export function serviceHealth(tasks: Array<{ task: string } & Pick<UnitState, 'health' | 'failingStreak' | 'healthOutput'>>): Pick<UnitState, 'health' | 'failingStreak' | 'healthOutput'> {
  const sick = tasks.find((t) => t.health === 'unhealthy' && t.failingStreak !== 0);
  if (sick) {
    const streak = sick.failingStreak !== undefined ? { failingStreak: sick.failingStreak } : {};
    return { health: 'unhealthy', ...streak, healthOutput: `task ${sick.task.slice(0, 12)}${sick.healthOutput ? `: ${sick.healthOutput}` : ''}` };
  }
  const other = tasks.find((t) => t.health !== 'healthy');
  if (!other) return { health: 'healthy' };
  return { health: other.health ?? 'starting', ...(other.failingStreak !== undefined ? { failingStreak: other.failingStreak } : {}) };
}

/** The desired count of a replicated service; a global service is refused (berth cannot scale it to 0 and back). */
export function replicatedCount(svc: ServiceInfo): number {
  if (svc.Spec.Mode?.Global) {
    throw new BerthError('USAGE', `service ${svc.Spec.Name ?? svc.ID} is global: berth puts only replicated services to sleep (scale to 0) and wakes them`, {
      hint: 'make it replicated (docker service create --mode replicated) or leave berth.idle.* off it',
    });
  }
  return svc.Spec.Mode?.Replicated?.Replicas ?? 1;
}
