/**
 * The manager's fallback for tasks on nodes berth has no engine for:
 * GET /services/{id}/logs?details=1&timestamps=1 on the manager. Each line
 * comes as `TS DETAILS MSG`, DETAILS being the task's
 * `com.docker.swarm.node.id=..,com.docker.swarm.service.id=..,com.docker.swarm.task.id=..`;
 * only the lines of the given nodes are kept (the others are read from their
 * node's own engine). The endpoint is not time-ordered across nodes, so the
 * caller sorts (one-shot) or passes the lines through the reorder window
 * (--follow). The engine's warning about a node it could not read becomes a
 * status line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { engineStream } from '../engine/request.js';
import { BerthError } from '../errors.js';
import { SWARM_NODE_ID, SWARM_SERVICE, SWARM_TASK_ID, SWARM_TASK_NAME, STACK_NAMESPACE, taskSlot } from '../engine/labels.js';
import type { Target } from '../engine/select.js';
import { LogDecoder } from '../logs/decode.js';
import type { LogLine } from '../logs/line.js';
import { logsQuery, type LogQuery } from '../logs/source.js';
import { nanosToRfc3339 } from '../parse.js';
import { listTasks, type SwarmNode, type SwarmService, type TaskReply } from './cluster.js';

export interface ManagerLogsOptions {
  manager: Engine;
  services: SwarmService[];
  /** The nodes whose tasks' lines are wanted (those without an engine). */
  nodes: SwarmNode[];
  query: LogQuery;
  follow: boolean;
  onStatus: (message: string) => void;
}

/** How often, with -f, the manager's task list is read for removals of tasks on nodes berth has no engine for. */
export const REMOVALS_EVERY_MS = 2000;

/** Every wanted line of the services, in the order the manager sends them (not time order across nodes). */
export async function* managerLogBatches(o: ManagerLogsOptions, signal: AbortSignal): AsyncGenerator<LogLine[]> {
  const tasks = new TaskTargets(o);
  const queues = o.services.map((s) => serviceLines(s, o, tasks, signal));
  const { mergeByArrival } = await import('../stream/merge.js');
  const streaming = { on: true };
  if (o.follow) void watchRemovals(o, tasks, streaming, signal);
  try {
    yield* mergeByArrival(queues);
  } finally {
    streaming.on = false;
  }
}

/**
 * With -f: a running task on a node berth has no engine for is said removed once the manager no longer
 * lists it (its container went with it), in the words the selection supervisor uses for the nodes it reads.
 */
async function watchRemovals(o: ManagerLogsOptions, tasks: TaskTargets, streaming: { on: boolean }, signal: AbortSignal): Promise<void> {
  // The manager ends a service's log stream when the service is removed: its tasks are still said removed.
  while (!signal.aborted && (streaming.on || tasks.running())) {
    await sleep(REMOVALS_EVERY_MS, undefined, { signal }).catch(() => undefined);
    if (signal.aborted) return;
    const listed = await listedTasks(o, signal);
    if (!listed) continue;
    for (const t of tasks.gone(listed)) o.onStatus(`container ${t.name} (${t.id.slice(0, 12)}) on ${t.node ?? t.labels[SWARM_NODE_ID]} was removed; its logs end here`);
  }
}

async function* serviceLines(service: SwarmService, o: ManagerLogsOptions, tasks: TaskTargets, signal: AbortSignal): AsyncGenerator<LogLine[]> {
  const query = { ...logsQuery({ ...o.query, follow: o.follow }, true), details: '1' };
  // The service logs endpoint has no `until`: berth drops the lines from it on, by each line's own time.
  const until = o.query.until !== undefined ? nanosToRfc3339(o.query.until) : undefined;
  const res = await engineStream(o.manager, { path: `/services/${encodeURIComponent(service.id)}/logs`, query, signal });
  const placeholder = tasks.placeholder(service);
  const onEngineError = (text: string) => o.onStatus(`service ${service.name} (from the manager): ${text}`);
  const decoder = new LogDecoder(placeholder, { tty: false, stamped: true, ...(o.query.maxLineBytes !== undefined ? { maxLineBytes: o.query.maxLineBytes } : {}), onEngineError });
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      const raw: LogLine[] = [];
      decoder.push(chunk, raw);
      const out = await tasks.assign(service, before(raw, until), signal);
      if (out.length) yield out;
    }
    const rest: LogLine[] = [];
    decoder.end(rest);
    const out = await tasks.assign(service, before(rest, until), signal);
    if (out.length) yield out;
  } finally {
    res.destroy();
  }
}

/** The ids of the services' tasks the manager lists now (a removed service has none); undefined when it could not say. */
async function listedTasks(o: ManagerLogsOptions, signal: AbortSignal): Promise<Set<string> | undefined> {
  const out = new Set<string>();
  for (const s of o.services) {
    try {
      for (const t of await listTasks(o.manager, [s.id], signal)) out.add(t.ID);
    } catch (err) {
      if (!(err instanceof BerthError && err.code === 'NOT_FOUND')) return undefined;
    }
  }
  return out;
}

/** The lines before `until` (RFC 3339 with nine fraction digits, as the lines' own), as docker logs --until keeps them. */
export const before = (lines: LogLine[], until: string | undefined) => (until === undefined ? lines : lines.filter((l) => l.ts < until));

/** Splits `k=v,k=v MSG` into the details and the message; undefined when the line has no details. */
export function splitDetails(msg: string): { details: Record<string, string>; msg: string } | undefined {
  const sp = msg.indexOf(' ');
  const head = sp === -1 ? msg : msg.slice(0, sp);
  if (!head.includes('com.docker.swarm.')) return undefined;
  const details: Record<string, string> = {};
  for (const pair of head.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) details[decodeURIComponent(pair.slice(0, eq))] = decodeURIComponent(pair.slice(eq + 1));
  }
  return { details, msg: sp === -1 ? '' : msg.slice(sp + 1) };
}

/** The task behind each line: its container id, name (SERVICE.SLOT.TASKID) and node, from the manager's /tasks. */
class TaskTargets {
  private readonly known = new Map<string, Target>();
  private readonly hostnames: Map<string, string>;
  private readonly wanted: Set<string>;

  constructor(private readonly o: ManagerLogsOptions) {
    this.hostnames = new Map(o.nodes.map((n) => [n.id, n.hostname]));
    this.wanted = new Set(o.nodes.map((n) => n.id));
  }

  /** Whether a task on the wanted nodes is known to run (its removal is still to be said). */
  running(): boolean {
    return [...this.known.values()].some((t) => t.running && this.wanted.has(t.labels[SWARM_NODE_ID] ?? ''));
  }

  /** The running tasks on the wanted nodes that `listed` (the manager's task ids now) no longer holds; each said once. */
  gone(listed: Set<string>): Target[] {
    const out: Target[] = [];
    for (const [taskId, t] of this.known) {
      if (listed.has(taskId) || !t.running || !this.wanted.has(t.labels[SWARM_NODE_ID] ?? '')) continue;
      this.known.set(taskId, { ...t, running: false });
      out.push(t);
    }
    return out;
  }

  placeholder(s: SwarmService): Target {
    return { engine: this.o.manager, id: s.id, name: s.name, tty: false, running: true, labels: {} };
  }

  async assign(service: SwarmService, lines: LogLine[], signal: AbortSignal): Promise<LogLine[]> {
    const out: LogLine[] = [];
    for (const line of lines) {
      const split = splitDetails(line.msg);
      if (!split) {
        if (/incomplete log stream|could not be retrieved/i.test(line.msg)) this.o.onStatus(`service ${service.name} (from the manager): ${line.msg}`);
        continue;
      }
      const nodeId = split.details[SWARM_NODE_ID] ?? '';
      const taskId = split.details[SWARM_TASK_ID] ?? '';
      if (!this.wanted.has(nodeId) || !taskId) continue;
      const target = this.known.get(taskId) ?? (await this.lookup(service, taskId, nodeId, signal));
      out.push({ ...line, msg: split.msg, target });
    }
    return out;
  }

  private async lookup(service: SwarmService, taskId: string, nodeId: string, signal: AbortSignal): Promise<Target> {
    let found: TaskReply[] = [];
    try {
      found = await listTasks(this.o.manager, [service.id], signal);
    } catch {
      found = [];
    }
    for (const t of found)
      if (!this.known.has(t.ID)) this.known.set(t.ID, this.targetOf(service, t.ID, t.NodeID ?? nodeId, t.Slot, t.Status?.ContainerStatus?.ContainerID, t.Status?.State === 'running'));
    // A task the manager no longer lists (history trimmed): named by its task id.
    if (!this.known.has(taskId)) this.known.set(taskId, this.targetOf(service, taskId, nodeId, undefined, undefined, false));
    return this.known.get(taskId)!;
  }

  private targetOf(s: SwarmService, taskId: string, nodeId: string, slot: number | undefined, containerId: string | undefined, running: boolean): Target {
    const taskName = `${s.name}.${slot ?? nodeId}.${taskId}`;
    const labels: Record<string, string> = {
      [SWARM_SERVICE]: s.name,
      [SWARM_TASK_ID]: taskId,
      [SWARM_TASK_NAME]: taskName,
      [SWARM_NODE_ID]: nodeId,
      ...(s.stack ? { [STACK_NAMESPACE]: s.stack } : {}),
    };
    const t: Target = { engine: this.o.manager, id: containerId ?? taskId, name: taskName, tty: false, running, labels, service: s.name, task: taskId };
    if (s.stack) t.stack = s.stack;
    const node = this.hostnames.get(nodeId);
    if (node !== undefined) t.node = node;
    const n = taskSlot(taskName, s.name);
    if (n !== undefined) t.slot = n;
    return t;
  }
}
