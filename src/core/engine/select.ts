/**
 * Target selection, shared by logs, stats, templates and topology: container
 * names, ids or id prefixes; `--project` (compose label); `--filter` with
 * docker's keys (stopped containers too: cliSelection); no names = all running containers. Selection returns
 * (engine, container) pairs so several engines can be used at once.
 */
import type Docker from 'dockerode';
import type { Engine } from './engine.js';
import { BerthError } from '../errors.js';
import { toBerthError } from './request.js';
import { bareName, groupInfo, COMPOSE_PROJECT, STACK_NAMESPACE, SWARM_SERVICE, SWARM_SERVICE_ID } from './labels.js';
import { answered } from './connect.js';
import type { ContainerRef } from '../records.js';
import { inspectContainer, listContainers } from './containers.js';

export interface Selection {
  /** Names, ids or id prefixes. Explicit names are taken whatever their state. */
  names: string[];
  project?: string;
  filters?: Record<string, string[]>;
  /** Include stopped containers when no names are given (cliSelection sets it for --project and --filter). */
  all?: boolean;
  /** Swarm: the containers of these services' tasks (names, resolved on the manager). */
  services?: string[];
  /**
   * Swarm: the ids of `services`, when known: tasks are matched by these (com.docker.swarm.service.id), so
   * the tasks of a removed service that are still stopping are not taken for those of a new one of its name.
   */
  serviceIds?: string[];
  /** Swarm: the containers of a stack's tasks. */
  stack?: string;
}

export interface Target extends Omit<ContainerRef, 'engine'> {
  /** The engine it lives on (records carry `engine.name` as `engine` when several are used). */
  engine: Engine;
  id: string;
  name: string;
  tty: boolean;
  running: boolean;
  labels: Record<string, string>;
}

/**
 * A selection from the command line. A `--project` or `--filter` selection takes the stopped containers
 * too (`all`), as `docker-compose logs` shows a stopped project's and `docker ps -a --filter` lists them; a
 * `status=` filter still decides (`status=running` leaves the stopped ones out). No names and neither flag:
 * the running containers, as `docker ps`. Names are taken whatever their state.
 */
export function cliSelection(names: string[], project: string | undefined, filters: Record<string, string[]>): Selection {
  const grouped = !names.length && (project !== undefined || Object.values(filters).some((v) => v.length > 0));
  return { names, ...(project !== undefined ? { project } : {}), filters, ...(grouped ? { all: true } : {}) };
}

export function selectionFilters(sel: Selection): Record<string, string[]> {
  const f: Record<string, string[]> = { ...(sel.filters ?? {}) };
  if (sel.project) f.label = [...(f.label ?? []), `${COMPOSE_PROJECT}=${sel.project}`];
  if (sel.stack) f.label = [...(f.label ?? []), `${STACK_NAMESPACE}=${sel.stack}`];
  // Label filters are ANDed by the engine: one service is asked for exactly, several by the key (inServices narrows).
  const [key, list] = serviceKey(sel);
  if (list?.length) f.label = [...(f.label ?? []), list.length === 1 ? `${key}=${list[0]}` : key];
  return f;
}

/** The label a --service selection matches tasks by: the services' ids when known, else their names. */
const serviceKey = (sel: Selection): [string, string[] | undefined] => (sel.serviceIds?.length ? [SWARM_SERVICE_ID, sel.serviceIds] : [SWARM_SERVICE, sel.services]);

/** A --service selection of several services: the engine's filter took every task's container, this keeps the selected ones. */
export function inServices(sel: Selection, labels: Record<string, string> | undefined): boolean {
  const [key, list] = serviceKey(sel);
  return !list?.length || list.includes(labels?.[key] ?? '');
}

export function targetFromInspect(engine: Engine, info: Docker.ContainerInspectInfo): Target {
  const labels = info.Config?.Labels ?? {};
  return {
    engine,
    id: info.Id,
    name: bareName(info.Name) ?? info.Id.slice(0, 12),
    ...groupInfo(labels, engine.swarmNode),
    tty: !!info.Config?.Tty,
    running: !!info.State?.Running,
    labels,
  };
}

/**
 * A container name as the engine's paths take it: docker shows names with a leading `/` (`/web`), and
 * `docker logs /web` works, so one leading `/` is dropped. A name cannot hold any other `/`.
 */
export function containerRef(nameOrId: string): string {
  return nameOrId.startsWith('/') ? nameOrId.slice(1) : nameOrId;
}

export const noSuchContainer = (nameOrId: string, cause?: unknown) =>
  new BerthError('NOT_FOUND', `no such container: ${nameOrId}`, { hint: 'list containers with: docker ps -a', ...(cause ? { cause } : {}) });

export async function inspectTarget(engine: Engine, nameOrId: string, signal?: AbortSignal): Promise<Target> {
  const ref = containerRef(nameOrId);
  if (ref === '' || ref.includes('/')) throw noSuchContainer(nameOrId);
  try {
    const info = await inspectContainer(engine, ref, signal);
    return targetFromInspect(engine, info);
  } catch (err) {
    const e = toBerthError(engine, err, signal);
    if (e instanceof BerthError && e.code === 'NOT_FOUND') throw noSuchContainer(nameOrId, err);
    throw e;
  }
}

/**
 * Each name resolved on every engine that answered: a name is found on whichever engine has it (on each that
 * has it), and is "no such container" (exit 4) only when none has it. With an engine that has not answered
 * (still retried), a name none of the others has is left out instead: it may be on that one.
 */
export async function resolveNames(engines: Engine[], names: string[], signal?: AbortSignal): Promise<Array<{ name: string; target: Target }>> {
  const up = engines.filter(answered);
  const out: Array<{ name: string; target: Target }> = [];
  for (const name of names) {
    const found = await Promise.allSettled(up.map((e) => inspectTarget(e, name, signal)));
    const hits = found.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const failure = found.find((r): r is PromiseRejectedResult => r.status === 'rejected' && !isNotFound(r.reason));
    if (failure && !hits.length) throw failure.reason;
    if (!hits.length && up.length === engines.length) throw noSuchContainer(name);
    for (const target of hits) out.push({ name, target });
  }
  return out;
}

const isNotFound = (err: unknown) => err instanceof BerthError && err.code === 'NOT_FOUND';

/**
 * The containers a selection names now, in a stable order (by name). Engines that have not answered are left
 * out. `byName: false` leaves them in the order of the names given (or the engine's): for a caller whose
 * output does not follow this order, as the first sort by name makes the locale's collator (about 10 ms of CPU).
 */
export async function listTargets(engines: Engine[], sel: Selection, signal?: AbortSignal, o: { byName?: boolean } = {}): Promise<Target[]> {
  const out: Target[] = [];
  if (sel.names.length) out.push(...(await resolveNames(engines, sel.names, signal)).map((r) => r.target));
  else for (const engine of engines.filter(answered)) out.push(...(await listOn(engine, sel, signal)));
  const seen = new Set<string>();
  const unique = out.filter((t) => !seen.has(t.engine.name + t.id) && seen.add(t.engine.name + t.id));
  return o.byName === false ? unique : unique.sort((a, b) => a.name.localeCompare(b.name));
}

/** The containers of a --project/--filter selection on one engine (stopped ones too with `all`). */
export async function listOn(engine: Engine, sel: Selection, signal?: AbortSignal): Promise<Target[]> {
  let list: Docker.ContainerInfo[];
  try {
    list = await listContainers(engine, { all: !!sel.all, filters: selectionFilters(sel) }, signal);
  } catch (err) {
    throw toBerthError(engine, err, signal);
  }
  return list
    .filter((c) => inServices(sel, c.Labels))
    .map((c) => ({
      engine,
      id: c.Id,
      name: bareName(c.Names?.[0]) ?? c.Id.slice(0, 12),
      ...groupInfo(c.Labels, engine.swarmNode),
      tty: false, // listContainers does not say; sources that care inspect
      running: c.State === 'running',
      labels: c.Labels ?? {},
    }));
}

/**
 * Why a one-shot selection (logs, templates, stats --no-stream) found nothing: a `--project` that no
 * container carries, running or not, is not found (exit 4, as a misspelt name would be); otherwise the
 * selection is merely empty now, and the message says so.
 */
export async function emptySelection(engines: Engine[], sel: Selection, signal?: AbortSignal): Promise<string> {
  if (sel.project !== undefined && !sel.names.length) {
    const any = await listTargets(engines, { names: [], project: sel.project, all: true }, signal);
    if (any.length === 0) throw new BerthError('NOT_FOUND', `no containers in project ${JSON.stringify(sel.project)}`, { hint: 'projects are read from the com.docker.compose.project label' });
  }
  if (sel.services?.length || sel.stack !== undefined) return 'no task of the selected services is running on a node berth can reach';
  return sel.names.length || sel.project !== undefined || Object.keys(sel.filters ?? {}).length ? 'no containers match the selection' : 'no containers are running';
}
