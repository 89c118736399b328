/**
 * Dependencies of compose v1 containers. docker-compose 1.x writes no
 * `com.docker.compose.depends_on` label (compose v2 does), but it does write
 * `com.docker.compose.project.config_files` (comma-separated, relative to
 * `com.docker.compose.project.working_dir`): the service's `depends_on` is
 * read from those files when they are readable (later files override earlier
 * ones, as compose merges them), and given to the idle config as if it were
 * the v2 label. Parsed files are cached by path and modification time (at
 * most MAX_CACHED; the oldest entry goes first).
 *
 * A compose v1 container (`com.docker.compose.version` 1.x) with no source of
 * dependencies at all (no label, no readable file) gets a note saying so,
 * which the commands print once.
 */
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { COMPOSE_DEPENDS_ON, COMPOSE_PROJECT, COMPOSE_SERVICE } from '../engine/labels.js';

export const COMPOSE_CONFIG_FILES = 'com.docker.compose.project.config_files';
export const COMPOSE_WORKING_DIR = 'com.docker.compose.project.working_dir';
export const COMPOSE_VERSION = 'com.docker.compose.version';
const MAX_CACHED = 64;

type ServiceDeps = Map<string, string>;
const cache = new Map<string, { mtimeMs: number; services: Map<string, ServiceDeps> | string }>();

export interface ComposeDeps {
  /** The dependencies in the v2 label's form (`db:service_healthy:false,...`); undefined when there is no source. */
  value?: string;
  /** Why there is no source, for a compose container (printed once). */
  note?: string;
}

/** Pure: a service's depends_on (list or map) as `name -> condition`. */
export function dependsOnOf(service: unknown): ServiceDeps {
  const out: ServiceDeps = new Map();
  const d = (service as { depends_on?: unknown } | null)?.depends_on;
  if (Array.isArray(d)) for (const n of d) out.set(String(n), 'service_started');
  else if (d && typeof d === 'object') {
    for (const [n, v] of Object.entries(d as Record<string, { condition?: unknown } | null>)) out.set(n, typeof v?.condition === 'string' ? v.condition : 'service_started');
  }
  return out;
}

/** The services' depends_on of one compose file, or why it could not be read. */
function readServices(path: string): Map<string, ServiceDeps> | string {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(path).mtimeMs;
  } catch (err) {
    return `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === mtimeMs) return hit.services;
  let services: Map<string, ServiceDeps> | string;
  try {
    const doc = parseYaml(readFileSync(path, 'utf8')) as { services?: Record<string, unknown> } | null;
    services = new Map(Object.entries(doc?.services ?? {}).map(([n, s]) => [n, dependsOnOf(s)]));
  } catch (err) {
    services = `cannot parse ${path}: ${(err as Error).message.split('\n')[0]}`;
  }
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
  cache.set(path, { mtimeMs, services });
  return services;
}

/** The dependencies of a container from its compose file(s), when it is a compose container without the v2 label. */
export function composeFileDeps(labels: Record<string, string>): ComposeDeps {
  const service = labels[COMPOSE_SERVICE];
  if (labels[COMPOSE_DEPENDS_ON] !== undefined || !labels[COMPOSE_PROJECT] || !service) return {};
  const files = (labels[COMPOSE_CONFIG_FILES] ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const dir = labels[COMPOSE_WORKING_DIR] ?? '';
  const merged: ServiceDeps = new Map();
  const problems: string[] = [];
  let read = 0;
  for (const f of files) {
    const services = readServices(isAbsolute(f) ? f : join(dir, f));
    if (typeof services === 'string') {
      problems.push(services);
      continue;
    }
    read++;
    for (const [n, c] of services.get(service) ?? []) merged.set(n, c);
  }
  if (!read) {
    // Only compose v1 writes no depends_on label; a v2 container without it has no dependencies.
    if (!labels[COMPOSE_VERSION]?.startsWith('1.')) return {};
    const why = files.length ? problems.join('; ') : `it has no ${COMPOSE_CONFIG_FILES} label`;
    return {
      note: `compose project ${labels[COMPOSE_PROJECT]}, service ${service}: no ${COMPOSE_DEPENDS_ON} label (compose v1) and no readable compose file (${why}); its dependencies are unknown (name them with berth.idle.depends_on)`,
    };
  }
  return { value: [...merged].map(([n, c]) => `${n}:${c}:false`).join(',') };
}
