/**
 * Target selection, shared by logs, stats, templates and topology: container
 * names, ids or id prefixes; `--project` (compose label); `--filter` with
 * docker's keys; no names = all running containers. Selection returns
 * (engine, container) pairs so several engines can be used at once.
 */
import type Docker from 'dockerode';
import type { Engine } from './engine.js';
import { BerthError } from '../errors.js';
import { toBerthError } from './request.js';
import { bareName, composeInfo, COMPOSE_PROJECT } from './labels.js';
import { watchEvents, type WatcherStatus } from '../events/watcher.js';
import type { ContainerRef } from '../records.js';
import { inspectContainer, listContainers } from './containers.js';

export interface Selection {
  /** Names, ids or id prefixes. Explicit names are taken whatever their state. */
  names: string[];
  project?: string;
  filters?: Record<string, string[]>;
  /** Include stopped containers when no names are given. */
  all?: boolean;
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

function selectionFilters(sel: Selection): Record<string, string[]> {
  const f: Record<string, string[]> = { ...(sel.filters ?? {}) };
  if (sel.project) f.label = [...(f.label ?? []), `${COMPOSE_PROJECT}=${sel.project}`];
  return f;
}

export function targetFromInspect(engine: Engine, info: Docker.ContainerInspectInfo): Target {
  const labels = info.Config?.Labels ?? {};
  return {
    engine,
    id: info.Id,
    name: bareName(info.Name) ?? info.Id.slice(0, 12),
    ...composeInfo(labels),
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

const noSuchContainer = (nameOrId: string, cause?: unknown) =>
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

/** The containers a selection names now, in a stable order (by name). */
export async function listTargets(engines: Engine[], sel: Selection, signal?: AbortSignal): Promise<Target[]> {
  const out: Target[] = [];
  for (const engine of engines) {
    if (sel.names.length) {
      for (const n of sel.names) out.push(await inspectTarget(engine, n, signal));
      continue;
    }
    let list: Docker.ContainerInfo[];
    try {
      list = await listContainers(engine, { all: !!sel.all, filters: selectionFilters(sel) }, signal);
    } catch (err) {
      throw toBerthError(engine, err, signal);
    }
    for (const c of list) {
      out.push({
        engine,
        id: c.Id,
        name: bareName(c.Names?.[0]) ?? c.Id.slice(0, 12),
        ...composeInfo(c.Labels),
        tty: false, // listContainers does not say; sources that care inspect
        running: c.State === 'running',
        labels: c.Labels ?? {},
      });
    }
  }
  const seen = new Set<string>();
  return out.filter((t) => !seen.has(t.engine.name + t.id) && seen.add(t.engine.name + t.id)).sort((a, b) => a.name.localeCompare(b.name));
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
  return sel.names.length || sel.project !== undefined || Object.keys(sel.filters ?? {}).length ? 'no containers match the selection' : 'no containers are running';
}

/** Does a container (by id) match the selection now? Asks the engine, so docker's filter semantics hold exactly. */
export async function matchesSelection(engine: Engine, sel: Selection, id: string, name: string | undefined, signal?: AbortSignal): Promise<boolean> {
  if (sel.names.length) {
    return sel.names.some((n) => n === name || n === `/${name}` || id.startsWith(n));
  }
  const list = await listContainers(engine, { all: true, filters: { ...selectionFilters(sel), id: [id] } }, signal);
  return list.length > 0;
}

export type TargetChange =
  | { kind: 'start'; target: Target }
  | { kind: 'die'; id: string; name?: string; engine: Engine }
  | { kind: 'destroy'; id: string; name?: string; engine: Engine };

/**
 * Container lifecycle changes that concern a selection, from engine events
 * (gapless across engine restarts): `start` for a matching container that
 * starts (new or restarted), `die`/`destroy` for matching ones.
 */
export async function* watchTargets(
  engine: Engine,
  sel: Selection,
  signal: AbortSignal,
  onStatus?: (s: WatcherStatus) => void,
): AsyncGenerator<TargetChange> {
  const known = new Set<string>();
  const events = watchEvents(engine, { filters: { type: ['container'], event: ['start', 'die', 'destroy'] }, onStatus }, signal);
  for await (const ev of events) {
    const id = ev.Actor.ID;
    const name = ev.Actor.Attributes?.name;
    if (ev.Action === 'start') {
      if (!(await matchesSelection(engine, sel, id, name, signal).catch(() => false))) continue;
      known.add(id);
      try {
        yield { kind: 'start', target: await inspectTarget(engine, id, signal) };
      } catch {
        // removed again before we could look at it: nothing to follow
      }
    } else if (known.has(id) || (await matchesSelection(engine, sel, id, name, signal).catch(() => false))) {
      if (ev.Action === 'destroy') known.delete(id);
      yield { kind: ev.Action as 'die' | 'destroy', id, ...(name !== undefined ? { name } : {}), engine };
    }
  }
}
