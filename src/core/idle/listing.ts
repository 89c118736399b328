/**
 * One look at every container of an engine (a single list call), turned into
 * what watch-idle needs: which containers it manages, their config, and the
 * dependency graph of all containers (managed or not: an unmanaged awake app
 * still keeps its database up). Pure apart from `listAll`.
 */
import type Docker from 'dockerode';
import type { Engine } from '../engine/engine.js';
import { bareName, COMPOSE_PROJECT, COMPOSE_SERVICE } from '../engine/labels.js';
import { toBerthError } from '../engine/request.js';
import { TIMEOUT_LABEL, type IdleConfig } from './config.js';
import { idleConfigFor, type ConfigFile } from './config-file.js';
import { listContainers } from '../engine/containers.js';
import { listedRunning } from '../engine/podman.js';
import type { Seen } from './types.js';

export type { Seen } from './types.js';

export interface View {
  all: Map<string, Seen>;
  /** Managed containers with their config, by name. */
  managed: Map<string, { seen: Seen; config: IdleConfig }>;
  /** Dependencies by name (resolved to container names), of every container. */
  deps: Map<string, string[]>;
  /** Containers whose config could not be read: name -> error message. */
  errors: Map<string, string>;
}

export async function listAll(engine: Engine, signal?: AbortSignal): Promise<Seen[]> {
  let list: Docker.ContainerInfo[];
  try {
    list = await listContainers(engine, { all: true }, signal);
  } catch (err) {
    throw toBerthError(engine, err, signal);
  }
  return list.map((c) => ({
    id: c.Id,
    name: bareName(c.Names?.[0]) ?? c.Id.slice(0, 12),
    labels: c.Labels ?? {},
    running: listedRunning(c.State) || c.State === 'paused',
    paused: c.State === 'paused',
    awake: listedRunning(c.State),
    status: c.Status ?? c.State ?? '',
  }));
}

/**
 * `names`: manage only these (else every container with berth.idle.timeout,
 * by label or in the file). `defaultTimeoutMs` applies to managed containers
 * without a timeout of their own (named ones; watch-idle --idle-timeout).
 */
export function buildView(seen: Seen[], file: ConfigFile | undefined, names?: readonly string[], defaultTimeoutMs?: number): View {
  const view: View = { all: new Map(seen.map((s) => [s.name, s])), managed: new Map(), deps: new Map(), errors: new Map() };
  const wanted = (s: Seen) => (names?.length ? names.includes(s.name) || names.some((n) => n.length >= 12 && s.id.startsWith(n)) : isManaged(s, file));
  for (const s of seen) {
    let config: IdleConfig;
    try {
      config = idleConfigFor(s.name, s.labels, file);
    } catch (err) {
      if (wanted(s)) view.errors.set(s.name, (err as Error).message);
      continue;
    }
    view.deps.set(
      s.name,
      config.dependsOn.map((d) => resolveRef(view.all, s, d.ref, d.compose)).filter((n): n is string => !!n),
    );
    if (!wanted(s)) continue;
    if (!config.managed && defaultTimeoutMs !== undefined) config.timeoutMs = defaultTimeoutMs;
    view.managed.set(s.name, { seen: s, config });
  }
  return view;
}

const isManaged = (s: Seen, file?: ConfigFile) => s.labels[TIMEOUT_LABEL] !== undefined || file?.containers.get(s.name)?.[TIMEOUT_LABEL] !== undefined;

/** A dependency reference as a container name: a container by that name, else the service of the same project. */
function resolveRef(all: Map<string, Seen>, of: Seen, ref: string, compose: boolean): string | undefined {
  if (!compose && all.has(ref)) return ref;
  const project = of.labels[COMPOSE_PROJECT];
  const candidates = [...all.values()].filter((c) => c.labels[COMPOSE_SERVICE] === ref && (!project || c.labels[COMPOSE_PROJECT] === project));
  return candidates.map((c) => c.name).sort()[0];
}
