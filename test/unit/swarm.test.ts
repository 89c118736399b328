// The pure parts of berth's swarm support: task fields from labels, the manager's log details, the
// service record's sums, --node parsing and the selection of several services.
import { describe, expect, it } from 'vitest';
import { groupInfo, taskSlot } from '../../src/core/engine/labels.js';
import { inServices, selectionFilters, type Target } from '../../src/core/engine/select.js';
import { matchAttributes } from '../../src/core/select/match.js';
import { splitDetails } from '../../src/core/swarm/service-logs.js';
import { serviceStats } from '../../src/core/swarm/service-stats.js';
import { parseNodeFlag } from '../../src/core/swarm/cluster.js';
import { sortedLines } from '../../src/core/logs/unordered.js';
import type { LogLine } from '../../src/core/logs/line.js';
import type { StatsSample } from '../../src/core/stats/compute.js';
import { replicatedCount, scaledSpec, serviceHealth, wakeReplicas, type ServiceInfo } from '../../src/core/swarm/service-provider.js';
import { judge } from '../../src/core/idle/readiness.js';
import { parseIdleConfig } from '../../src/core/idle/config.js';

const task = (service: string, name: string, extra: Record<string, string> = {}) => ({
  'com.docker.swarm.service.name': service,
  'com.docker.swarm.task.name': name,
  'com.docker.swarm.task.id': name.split('.').at(-1)!,
  'com.docker.swarm.node.id': 'n0deid',
  ...extra,
});

describe('groupInfo', () => {
  it('a compose container: project and service only', () => {
    expect(groupInfo({ 'com.docker.compose.project': 'shop', 'com.docker.compose.service': 'db' }, 'ignored')).toEqual({ project: 'shop', service: 'db' });
  });
  it('a replicated task: service, stack, node (from the engine), task id and slot', () => {
    expect(groupInfo(task('web', 'web.2.abc123', { 'com.docker.stack.namespace': 'shop' }), 'n2')).toEqual({ service: 'web', stack: 'shop', node: 'n2', task: 'abc123', slot: 2 });
  });
  it('a global task has no slot (its name carries the node id); without a node engine, no node', () => {
    expect(groupInfo(task('agent', 'agent.n0deid.xyz'))).toEqual({ service: 'agent', task: 'xyz' });
  });
  it('a service name with dots still finds its slot', () => {
    expect(taskSlot('a.b.3.tid', 'a.b')).toBe(3);
    expect(taskSlot('other.3.tid', 'a.b')).toBeUndefined();
    expect(taskSlot(undefined, 'a')).toBeUndefined();
  });
});

describe("the manager's log details", () => {
  it('splits the details from the message', () => {
    expect(splitDetails('com.docker.swarm.node.id=n1,com.docker.swarm.service.id=s1,com.docker.swarm.task.id=t1 hello world')).toEqual({
      details: { 'com.docker.swarm.node.id': 'n1', 'com.docker.swarm.service.id': 's1', 'com.docker.swarm.task.id': 't1' },
      msg: 'hello world',
    });
  });
  it('an empty message, and encoded values', () => {
    expect(splitDetails('com.docker.swarm.task.id=t%2C1')).toEqual({ details: { 'com.docker.swarm.task.id': 't,1' }, msg: '' });
  });
  it('a line without details is not a task line', () => {
    expect(splitDetails('warning: incomplete log stream')).toBeUndefined();
  });
});

const sample = (o: Partial<StatsSample>): StatsSample => ({
  ts: '2026-12-03T10:00:00.000000000Z',
  tsMs: 0,
  cpuTotalNs: 0,
  memUsage: 0,
  memLimit: 100,
  memPercent: 0,
  netRxBytes: 0,
  netTxBytes: 0,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: 1,
  ...o,
});
const target = (service: string, id: string) => ({ id, name: id, service, tty: false, running: true, labels: {} }) as unknown as Target;

describe('serviceStats', () => {
  const services = [
    { id: 'S1', name: 'web', replicas: 3, stack: 'shop' },
    { id: 'S2', name: 'db' },
  ];
  const tasks = [
    { ID: 'a', ServiceID: 'S1', NodeID: 'N1', Status: { State: 'running' } },
    { ID: 'b', ServiceID: 'S1', NodeID: 'N2', Status: { State: 'running' } },
    { ID: 'c', ServiceID: 'S1', NodeID: 'N3', Status: { State: 'running' } },
    { ID: 'd', ServiceID: 'S1', NodeID: 'N3', Status: { State: 'shutdown' } },
  ];
  it('sums the tasks read; running and unread from the manager', () => {
    const readings = [
      { target: target('web', 'c1'), sample: sample({ cpuPercent: 10.5, memUsage: 100, netRxBytes: 5, netRxRate: 1.25, pids: 2 }) },
      { target: target('web', 'c2'), sample: sample({ cpuPercent: 4.25, memUsage: 50, netRxBytes: 7, netRxRate: 2, pids: 3 }) },
      { target: target('db', 'c3'), sample: sample({ cpuPercent: 99, memUsage: 1 }) },
    ];
    const [web, db] = serviceStats('T', services, readings, tasks, new Map([['N3', 'node3']]));
    expect(web).toEqual({
      type: 'stats',
      scope: 'service',
      ts: 'T',
      id: 'S1',
      name: 'web',
      service: 'web',
      stack: 'shop',
      tasks: 2,
      running: 3,
      unread: 1,
      unreadOn: ['node3'],
      replicas: 3,
      cpuPercent: 14.75,
      memUsage: 150,
      netRxBytes: 12,
      netTxBytes: 0,
      netRxRate: 3.3,
      blockReadBytes: 0,
      blockWriteBytes: 0,
      pids: 5,
    });
    expect(db).toMatchObject({ tasks: 1, running: 0, unread: 0, cpuPercent: 99, memUsage: 1 });
    expect(db).not.toHaveProperty('replicas');
  });
  it('CPU% only when every task read has one; no task read: zeros and no CPU%', () => {
    const [web] = serviceStats(
      'T',
      services.slice(0, 1),
      [
        { target: target('web', 'c1'), sample: sample({ cpuPercent: 3 }) },
        { target: target('web', 'c2'), sample: sample({}) },
      ],
      tasks,
      new Set(),
    );
    expect(web).not.toHaveProperty('cpuPercent');
    const [none] = serviceStats('T', services.slice(0, 1), [], tasks, new Map());
    expect(none).toMatchObject({ tasks: 0, running: 3, unread: 0, memUsage: 0, pids: 0 });
    expect(none).not.toHaveProperty('cpuPercent');
  });
});

describe('--node NAME=ENGINE', () => {
  it('takes a name and an engine as --host does', () => {
    expect(parseNodeFlag('w1=ssh://me@w1', {})).toEqual({ name: 'w1', endpoint: { name: 'w1', host: 'ssh://me@w1' } });
    expect(parseNodeFlag('w1=unix:///run/a=b.sock', {}).endpoint.host).toBe('unix:///run/a=b.sock');
  });
  it('refuses what is not NAME=ENGINE, and an engine --host would refuse', () => {
    expect(() => parseNodeFlag('w1', {})).toThrow('--node: expected NAME=ENGINE, e.g. worker1=ssh://me@worker1 (got: "w1")');
    expect(() => parseNodeFlag('=tcp://x:2375', {})).toThrow('expected NAME=ENGINE');
    expect(() => parseNodeFlag('w1=', {})).toThrow('expected NAME=ENGINE');
    expect(() => parseNodeFlag('w1=w1.example:2375', {})).toThrow('--host: expected unix:///path');
  });
});

describe('selecting services', () => {
  it('one service is asked of the engine exactly; several by the label key, narrowed here', () => {
    expect(selectionFilters({ names: [], services: ['web'] })).toEqual({ label: ['com.docker.swarm.service.name=web'] });
    expect(selectionFilters({ names: [], services: ['web', 'db'], stack: 'shop' })).toEqual({ label: ['com.docker.stack.namespace=shop', 'com.docker.swarm.service.name'] });
    expect(inServices({ names: [], services: ['web', 'db'] }, { 'com.docker.swarm.service.name': 'db' })).toBe(true);
    expect(inServices({ names: [], services: ['web', 'db'] }, { 'com.docker.swarm.service.name': 'api' })).toBe(false);
    expect(inServices({ names: [] }, {})).toBe(true);
  });
  it("an event's attributes decide stack and services", () => {
    const attrs = task('web', 'web.1.t', { 'com.docker.stack.namespace': 'shop', name: 'web.1.t' });
    expect(matchAttributes({ names: [], stack: 'shop' }, 'id', attrs)).toBe(true);
    expect(matchAttributes({ names: [], stack: 'other' }, 'id', attrs)).toBe(false);
    expect(matchAttributes({ names: [], services: ['db', 'web'] }, 'id', attrs)).toBe(true);
    expect(matchAttributes({ names: [], services: ['db'] }, 'id', attrs)).toBe(false);
  });
});

describe('sortedLines', () => {
  const line = (ts: string, msg: string) => ({ ts, msg, stream: 'stdout', truncated: false }) as unknown as LogLine;
  async function* src() {
    yield [line('2026-01-01T00:00:02.000000000Z', 'b'), line('2026-01-01T00:00:01.000000000Z', 'a')];
    yield [line('2026-01-01T00:00:02.000000000Z', 'c'), line('2026-01-01T00:00:03.000000000Z', 'd')];
  }
  it('all lines in time order, equal stamps in arrival order; a cut keeps those before it', async () => {
    const all: string[] = [];
    for await (const b of sortedLines(src())) all.push(...b.map((l) => l.msg));
    expect(all).toEqual(['a', 'b', 'c', 'd']);
    const cut: string[] = [];
    for await (const b of sortedLines(src(), '2026-01-01T00:00:03.000000000Z')) cut.push(...b.map((l) => l.msg));
    expect(cut).toEqual(['a', 'b', 'c']);
  });
});

describe('scaling a service (ServiceProvider)', () => {
  const svc = (labels: Record<string, string>, replicas: number | 'global', previous?: number): ServiceInfo => ({
    ID: 'S',
    Spec: { Name: 'web', Labels: labels, Mode: replicas === 'global' ? { Global: {} } : { Replicated: { Replicas: replicas } } },
    ...(previous !== undefined ? { PreviousSpec: { Mode: { Replicated: { Replicas: previous } } } } : {}),
  });
  it('a wake scales back to berth.idle.replicas, else the count berth saw before the sleep, else the previous spec, else 1', () => {
    expect(wakeReplicas(svc({ 'berth.state.replicas': '3' }, 0, 2), 5)).toBe(5);
    expect(wakeReplicas(svc({ 'berth.state.replicas': '3' }, 0, 2))).toBe(3);
    expect(wakeReplicas(svc({}, 0, 2))).toBe(2);
    expect(wakeReplicas(svc({}, 0, 0))).toBe(1);
    expect(wakeReplicas(svc({ 'berth.state.replicas': 'x' }, 0))).toBe(1);
  });
  it('a scale changes only the count (every other part of the spec read is kept); to 0 it remembers the count', () => {
    const spec = { Name: 'web', Labels: { a: 'b' }, Mode: { Replicated: { Replicas: 3 } }, TaskTemplate: { ContainerSpec: { Env: ['X=1'] } } };
    expect(scaledSpec(spec, 0)).toEqual({ Name: 'web', Labels: { a: 'b', 'berth.state.replicas': '3' }, Mode: { Replicated: { Replicas: 0 } }, TaskTemplate: { ContainerSpec: { Env: ['X=1'] } } });
    expect(scaledSpec({ ...spec, Mode: { Replicated: { Replicas: 0 } } }, 3)).toEqual({ ...spec, Mode: { Replicated: { Replicas: 3 } } });
    expect(spec.Labels).toEqual({ a: 'b' }); // the spec read is not changed
  });
  it('a global service is refused with a clear error', () => {
    expect(() => replicatedCount(svc({}, 'global'))).toThrow('service web is global: berth puts only replicated services to sleep (scale to 0) and wakes them');
    expect(replicatedCount(svc({}, 2))).toBe(2);
  });
  it('a service whose tasks are not all running yet is waited for, not failed', () => {
    expect(judge('web', { id: 'S', running: true, paused: false, pending: '3 tasks to run (1 now)' }, 'ready', false)).toEqual({ kind: 'wait', what: '3 tasks to run (1 now)' });
    expect(judge('web', { id: 'S', running: true, paused: false, pending: '3 tasks to run (1 now)' }, 'service_started', false)).toEqual({ kind: 'wait', what: '3 tasks to run (1 now)' });
    expect(judge('web', { id: 'S', running: true, paused: false }, 'ready', false)).toEqual({ kind: 'ready', how: 'running' });
  });
  it("a service's health: unhealthy as soon as one task's container is (a wake fails at once, naming the task), not on a paused container's stale unhealthy", () => {
    expect(
      serviceHealth([
        { task: 't1', health: 'healthy' },
        { task: 't2', health: 'healthy' },
      ]),
    ).toEqual({ health: 'healthy' });
    expect(serviceHealth([{ task: 't1', health: 'healthy' }, { task: 't2' }])).toEqual({ health: 'starting' });
    const sick = serviceHealth([
      { task: 't1', health: 'starting' },
      { task: 'abcdefabcdef0123', health: 'unhealthy', failingStreak: 2, healthOutput: 'no response' },
    ]);
    expect(sick).toEqual({ health: 'unhealthy', failingStreak: 2, healthOutput: 'task abcdefabcdef: no response' });
    expect(judge('web', { id: 'S', running: true, paused: false, ...sick }, 'ready', false)).toMatchObject({
      kind: 'failed',
      error: { kind: 'unhealthy', message: 'web is unhealthy: its healthcheck failed 2 times in a row (last output: task abcdefabcdef: no response)' },
    });
    const stale = serviceHealth([
      { task: 't1', health: 'unhealthy', failingStreak: 0 },
      { task: 't2', health: 'healthy' },
    ]);
    expect(stale).toEqual({ health: 'unhealthy', failingStreak: 0 });
    expect(judge('web', { id: 'S', running: true, paused: false, ...stale }, 'ready', false)).toEqual({ kind: 'wait', what: 'its healthcheck (now unhealthy)' });
  });

  it('berth.idle.replicas is validated as the other keys are', () => {
    expect(parseIdleConfig({ 'berth.idle.replicas': '4' }, { container: 'web' }).replicas).toBe(4);
    expect(() => parseIdleConfig({ 'berth.idle.replicas': '0' }, { container: 'web' })).toThrow('container web: label berth.idle.replicas: expected a replica count of 1 or more (got: "0")');
  });
});
