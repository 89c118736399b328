/**
 * Units: a container with its idle config and its dependencies resolved to
 * container names. Compose's depends_on names services: they resolve to the
 * container of that service in the same project. berth.idle.depends_on names
 * containers (or, failing that, a service of the same project).
 */
import type Docker from 'dockerode';
import { BerthError } from '../errors.js';
import { bareName, COMPOSE_PROJECT, COMPOSE_SERVICE, composeInfo } from '../engine/labels.js';
import type { DepCondition, IdleConfig } from './config.js';
import { idleConfigFor, type ConfigFile } from './config-file.js';
import { stateOf, type ContainerProvider, type UnitState } from './provider.js';
import { MissingDependency } from './deps.js';

export interface UnitDep {
  name: string;
  condition: DepCondition;
}

export interface Unit {
  name: string;
  id: string;
  project?: string;
  service?: string;
  labels: Record<string, string>;
  config: IdleConfig;
  deps: UnitDep[];
  /** The state read with the unit (one inspect serves both): a wake starts from it without asking again. */
  state: UnitState;
}

type Seen = Map<string, Docker.ContainerInspectInfo>;

export class UnitResolver {
  private readonly noted = new Set<string>();

  constructor(
    readonly provider: ContainerProvider,
    readonly file?: ConfigFile,
    /** Where a note about a unit's unknown dependencies goes (once each). */
    private readonly warn?: (message: string) => void,
  ) {}

  /** The unit for a container name or id, read from the engine now. */
  async get(nameOrId: string, signal?: AbortSignal, seen?: Seen): Promise<Unit> {
    return this.fromInspect(await this.inspect(nameOrId, signal, seen), signal, seen);
  }

  /** One inspect per container per graph: a dependency resolved by name is not inspected again as a unit. */
  private async inspect(nameOrId: string, signal?: AbortSignal, seen?: Seen): Promise<Docker.ContainerInspectInfo> {
    const hit = seen?.get(nameOrId);
    if (hit) return hit;
    const info = await this.provider.inspect(nameOrId, signal);
    seen?.set(nameOrId, info).set(bareName(info.Name) ?? info.Id, info);
    return info;
  }

  async fromInspect(info: Docker.ContainerInspectInfo, signal?: AbortSignal, seen?: Seen): Promise<Unit> {
    const name = bareName(info.Name) ?? info.Id.slice(0, 12);
    const labels = info.Config?.Labels ?? {};
    const config = idleConfigFor(name, labels, this.file);
    if (config.depsNote && !this.noted.has(config.depsNote)) {
      this.noted.add(config.depsNote);
      this.warn?.(config.depsNote);
    }
    const compose = composeInfo(labels);
    const deps: UnitDep[] = [];
    for (const d of config.dependsOn) {
      const depName = d.compose ? await this.serviceContainer(name, compose.project, d.ref, signal) : await this.containerName(name, compose.project, d.ref, signal, seen);
      deps.push({ name: depName, condition: d.condition });
    }
    return { name, id: info.Id, ...compose, labels, config, deps, state: stateOf(info) };
  }

  /** Every unit reachable from `root` through dependencies, by name (cycle-safe). */
  async graph(root: string, signal?: AbortSignal): Promise<Map<string, Unit>> {
    const units = new Map<string, Unit>();
    const seen: Seen = new Map();
    const todo = [root];
    while (todo.length) {
      const n = todo.pop()!;
      if (units.has(n)) continue;
      const u = await this.get(n, signal, seen);
      units.set(n, u);
      if (u.name !== n) units.set(u.name, u);
      todo.push(...u.deps.map((d) => d.name));
    }
    return units;
  }

  private async containerName(of: string, project: string | undefined, ref: string, signal?: AbortSignal, seen?: Seen): Promise<string> {
    try {
      const info = await this.inspect(ref, signal, seen);
      return bareName(info.Name) ?? ref;
    } catch (err) {
      if (!(err instanceof BerthError && err.code === 'NOT_FOUND')) throw err;
      if (!project) throw missing(of, ref, ref, err);
      return this.serviceContainer(of, project, ref, signal);
    }
  }

  /** The container of a compose service (of the same project), by name: the first in order when it has several. */
  private async serviceContainer(of: string, project: string | undefined, service: string, signal?: AbortSignal): Promise<string> {
    const all = await this.provider.list(signal);
    const names = all
      .filter((c) => c.labels[COMPOSE_SERVICE] === service && (!project || c.labels[COMPOSE_PROJECT] === project))
      .map((c) => c.name)
      .sort();
    if (!names.length) throw missing(of, service, `service ${service}${project ? ` of project ${project}` : ''}`);
    return names[0]!;
  }
}

const missing = (of: string, ref: string, what: string, cause?: unknown) => new MissingDependency(of, ref, `container ${of} depends on ${what}, which has no container`, { cause });
