/**
 * Finds the routes on an engine: every container (running or not) carrying
 * berth.proxy.host or berth.proxy.tcp (or Sablier's sablier.enable=true), plus those given such keys in the
 * config file (src/core/idle/config-file.ts; the file wins key by key). A
 * container whose configuration is wrong is reported and left out; the
 * others serve. The containers come from the engine's one watcher (its view
 * kept by events); only a --filter key that the view cannot decide (status,
 * network, ancestor, ...) is asked of the engine, with a listing per discovery.
 */
import type Docker from 'dockerode';
import type { Engine } from '../engine/engine.js';
import { bareName } from '../engine/labels.js';
import { toBerthError } from '../engine/request.js';
import { BerthError } from '../errors.js';
import type { IdleConfig } from '../idle/config.js';
import { idleConfigFor, mergeLabels, type ConfigFile } from '../idle/config-file.js';
import { LABEL, SABLIER, isRouteLabels, parseRoute, type Route } from './routes.js';
import { inspectContainer, listContainers } from '../engine/containers.js';
import { EngineWatcher } from '../select/engine-watcher.js';
import { matchAttributes } from '../select/match.js';

export interface Found {
  route: Route;
  idle: IdleConfig;
  running: boolean;
  /** The container's full id. */
  id: string;
}

export interface Discovery {
  found: Found[];
  /** One line per container whose configuration is wrong. */
  problems: string[];
}

/** Extra docker filters narrowing which containers may be routes (serve --filter); empty = all. */
export type RouteFilters = Record<string, string[]>;

async function list(engine: Engine, label: string, extra: RouteFilters, signal?: AbortSignal): Promise<Docker.ContainerInfo[]> {
  const filters = { ...extra, label: [...(extra.label ?? []), label] };
  try {
    return await listContainers(engine, { all: true, filters }, signal);
  } catch (err) {
    throw toBerthError(engine, err, signal);
  }
}

type Candidates = Map<string, { labels: Record<string, string>; running: boolean; id: string }>;

const ROUTE_LABELS = [LABEL.host, LABEL.tcp, `${SABLIER.enable}=true`];

/** The route containers in the watcher's view; undefined when `extra` has a key only the engine can decide. */
async function fromView(engine: Engine, extra: RouteFilters, signal: AbortSignal): Promise<Candidates | undefined> {
  const sel = { names: [], filters: extra };
  if (matchAttributes(sel, '', {}) === undefined) return undefined;
  const found: Candidates = new Map();
  for (const m of await EngineWatcher.of(engine).members(signal)) {
    const attrs = { ...m.labels, name: m.name };
    if (!ROUTE_LABELS.some((l) => matchAttributes({ names: [], filters: { label: [l] } }, m.id, attrs)) || !matchAttributes(sel, m.id, attrs)) continue;
    found.set(m.name, { labels: m.labels, running: m.awake, id: m.id });
  }
  return found;
}

async function candidates(engine: Engine, file: ConfigFile | undefined, extra: RouteFilters, problems: string[], signal?: AbortSignal): Promise<Candidates> {
  let found = signal ? await fromView(engine, extra, signal) : undefined;
  if (!found) {
    found = new Map();
    for (const label of ROUTE_LABELS) {
      for (const c of await list(engine, label, extra, signal)) {
        found.set(bareName(c.Names?.[0]) ?? c.Id.slice(0, 12), { labels: c.Labels ?? {}, running: c.State === 'running', id: c.Id });
      }
    }
  }
  for (const [name, keys] of file?.containers ?? []) {
    if (found.has(name) || !isRouteLabels(keys)) continue;
    try {
      const info = await inspectContainer(engine, name, signal);
      found.set(name, { labels: info.Config?.Labels ?? {}, running: !!info.State?.Running && !info.State?.Paused, id: info.Id });
    } catch (err) {
      // Only the engine's "no such container" means it does not exist. Any other failure (an abort as serve
      // stops, an engine error) fails the whole round, as a failed listing does: the routes stay as they were.
      const e = toBerthError(engine, err, signal);
      if (!(e instanceof BerthError && e.code === 'NOT_FOUND')) throw e;
      problems.push(`container ${name} (in ${file!.path}) does not exist; its route is left out`);
    }
  }
  return found;
}

export async function discoverRoutes(engine: Engine, file: ConfigFile | undefined, extra: RouteFilters, signal?: AbortSignal): Promise<Discovery> {
  const out: Discovery = { found: [], problems: [] };
  for (const [name, { labels, running, id }] of await candidates(engine, file, extra, out.problems, signal)) {
    const { labels: merged, fileKeys } = mergeLabels(name, labels, file);
    if (!isRouteLabels(merged)) continue;
    try {
      const route = parseRoute(name, merged, { fileKeys, ...(file ? { file: file.path } : {}) });
      out.found.push({ route, idle: idleConfigFor(name, labels, file), running, id });
    } catch (err) {
      out.problems.push((err as Error).message);
    }
  }
  return out;
}
