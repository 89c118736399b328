/**
 * `stats --service`: one `stats` record with `scope: "service"` per service
 * per reading, beside the records of its tasks' containers. Swarm has no
 * stats API: the sums are over the task readings berth took on the nodes it
 * reaches; `running` is the manager's count of running tasks and `unread`
 * those of them on nodes berth has no engine for (so `tasks` < `running`
 * says some were not read, and why).
 */
import type { Engine } from '../engine/engine.js';
import type { Target } from '../engine/select.js';
import type { StatsSample } from '../stats/compute.js';
import type { ServiceStatsRecord } from '../records.js';
import { listTasks, type SwarmNode, type SwarmService, type TaskReply } from './cluster.js';

export type { ServiceStatsRecord } from '../records.js';

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Pure: the service records from task readings and the manager's tasks. `blind`: the nodes without an engine, id -> hostname. */
export function serviceStats(ts: string, services: SwarmService[], readings: Array<{ target: Target; sample: StatsSample }>, tasks: TaskReply[], blind: Map<string, string>): ServiceStatsRecord[] {
  return services.map((s) => {
    const mine = readings.filter((r) => r.target.service === s.name);
    const running = tasks.filter((t) => t.ServiceID === s.id && t.Status?.State === 'running');
    const sum = (f: (x: StatsSample) => number | undefined): number | undefined => {
      const vals = mine.map((r) => f(r.sample));
      return vals.length && vals.every((v) => v !== undefined) ? vals.reduce((a: number, b) => a + b!, 0) : undefined;
    };
    const rec = { type: 'stats', scope: 'service', ts, id: s.id, name: s.name, service: s.name } as ServiceStatsRecord;
    if (s.stack !== undefined) rec.stack = s.stack;
    const unread = running.filter((t) => blind.has(t.NodeID ?? ''));
    Object.assign(rec, { tasks: mine.length, running: running.length, unread: unread.length });
    if (unread.length) rec.unreadOn = [...new Set(unread.map((t) => blind.get(t.NodeID ?? '')!))].sort();
    if (s.replicas !== undefined) rec.replicas = s.replicas;
    // Each field in the order of a task's record; a rate (or CPU%) only when every task read has one.
    const put = (key: keyof ServiceStatsRecord, f: (x: StatsSample) => number | undefined, digits?: number, always = false) => {
      const v = sum(f);
      if (v !== undefined) (rec as unknown as Record<string, number>)[key] = digits === undefined ? v : round(v, digits);
      else if (always) (rec as unknown as Record<string, number>)[key] = 0;
    };
    put('cpuPercent', (x) => x.cpuPercent, 3);
    put('memUsage', (x) => x.memUsage, undefined, true);
    put('netRxBytes', (x) => x.netRxBytes, undefined, true);
    put('netTxBytes', (x) => x.netTxBytes, undefined, true);
    put('netRxRate', (x) => x.netRxRate, 1);
    put('netTxRate', (x) => x.netTxRate, 1);
    put('blockReadBytes', (x) => x.blockReadBytes, undefined, true);
    put('blockWriteBytes', (x) => x.blockWriteBytes, undefined, true);
    put('blockReadRate', (x) => x.blockReadRate, 1);
    put('blockWriteRate', (x) => x.blockWriteRate, 1);
    put('pids', (x) => x.pids, undefined, true);
    return rec;
  });
}

/** The service records of one tick: the manager's tasks now, and the latest readings given. */
export class ServiceTally {
  private readonly blind: Map<string, string>;

  constructor(
    private readonly manager: Engine,
    private readonly services: SwarmService[],
    blindNodes: SwarmNode[],
  ) {
    this.blind = new Map(blindNodes.map((n) => [n.id, n.hostname]));
  }

  async records(ts: string, readings: Array<{ target: Target; sample: StatsSample }>, signal?: AbortSignal): Promise<ServiceStatsRecord[]> {
    const tasks = await listTasks(
      this.manager,
      this.services.map((s) => s.id),
      signal,
    ).catch(() => undefined);
    // The manager did not answer: the records say what was read, and `running` as read.
    return serviceStats(ts, this.services, readings, tasks ?? readings.map((r) => taskOf(r.target, this.services)), this.blind);
  }
}

function taskOf(t: Target, services: SwarmService[]): TaskReply {
  return { ID: t.task ?? t.id, ServiceID: services.find((s) => s.name === t.service)?.id ?? '', Status: { State: 'running' } };
}
