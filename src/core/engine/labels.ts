/** Compose and Swarm labels, as `docker compose` and a swarm's tasks set them on containers. */
export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';
export const COMPOSE_DEPENDS_ON = 'com.docker.compose.depends_on';
export const SWARM_SERVICE = 'com.docker.swarm.service.name';
export const SWARM_SERVICE_ID = 'com.docker.swarm.service.id';
export const SWARM_TASK_ID = 'com.docker.swarm.task.id';
export const SWARM_TASK_NAME = 'com.docker.swarm.task.name';
export const SWARM_NODE_ID = 'com.docker.swarm.node.id';
export const STACK_NAMESPACE = 'com.docker.stack.namespace';

export interface ComposeInfo {
  project?: string;
  service?: string;
}

/**
 * What a container belongs to, as records carry it (docs/records.md): a compose container's `project` and
 * `service`; a swarm task's `service`, `stack` (docker stack deploy), `task` (the task id) and `slot` (its
 * replica number; global services have none). `node` (the swarm node's hostname) comes from the engine the
 * container was read on, not from a label.
 */
export interface GroupInfo extends ComposeInfo {
  stack?: string;
  node?: string;
  task?: string;
  slot?: number;
}

/** The record fields of GroupInfo, in the order records print them. */
export const GROUP_KEYS = ['project', 'service', 'stack', 'node', 'task', 'slot'] as const;

export function composeInfo(labels: Record<string, string> | undefined | null): ComposeInfo {
  if (!labels) return {};
  const out: ComposeInfo = {};
  if (labels[COMPOSE_PROJECT]) out.project = labels[COMPOSE_PROJECT];
  if (labels[COMPOSE_SERVICE]) out.service = labels[COMPOSE_SERVICE];
  return out;
}

/**
 * Compose and swarm fields from a container's labels; `node` is the swarm node's hostname when the engine it
 * was read on is one (engine.swarmNode). A task's name is SERVICE.SLOT.TASKID (replicated) or
 * SERVICE.NODEID.TASKID (global): the slot is the middle part when it is a number.
 */
export function groupInfo(labels: Record<string, string> | undefined | null, node?: string): GroupInfo {
  const out: GroupInfo = composeInfo(labels);
  if (!labels?.[SWARM_SERVICE]) return out;
  out.service = labels[SWARM_SERVICE];
  if (labels[STACK_NAMESPACE]) out.stack = labels[STACK_NAMESPACE];
  if (node !== undefined) out.node = node;
  if (labels[SWARM_TASK_ID]) out.task = labels[SWARM_TASK_ID];
  const slot = taskSlot(labels[SWARM_TASK_NAME], out.service);
  if (slot !== undefined) out.slot = slot;
  return out;
}

export function taskSlot(taskName: string | undefined, service: string): number | undefined {
  if (!taskName?.startsWith(service + '.')) return undefined;
  const middle = taskName.slice(service.length + 1).split('.')[0] ?? '';
  return /^\d+$/.test(middle) ? Number(middle) : undefined;
}

/** Copies the GroupInfo fields that are set onto a record, in GROUP_KEYS order. */
export function putGroup(rec: Record<string, unknown>, g: GroupInfo): void {
  for (const k of GROUP_KEYS) if (g[k] !== undefined) rec[k] = g[k];
}

/** Engine names come with a leading slash ("/web"); records carry the bare name. */
export function bareName(name: string | undefined): string | undefined {
  return name?.startsWith('/') ? name.slice(1) : name;
}
