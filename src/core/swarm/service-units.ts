/**
 * Units for the wake path (idle/wake.ts's UnitSource) when they are swarm
 * services: each with its idle config read from the service's labels (and
 * the --config file, keyed by service name), validated as containers' are,
 * and its berth.idle.depends_on resolved to services. Compose's depends_on
 * does not exist on a swarm (docker stack deploy ignores it).
 */
import { BerthError } from '../errors.js';
import { idleConfigFor, type ConfigFile } from '../idle/config-file.js';
import type { Unit, UnitDep } from '../idle/unit-resolver.js';
import type { UnitSource } from '../idle/wake.js';
import type { ServiceProvider } from './service-provider.js';
import { STACK_NAMESPACE } from '../engine/labels.js';
import { MissingDependency } from '../idle/deps.js';

export class ServiceUnits implements UnitSource {
  private readonly noted = new Set<string>();

  constructor(
    readonly provider: ServiceProvider,
    readonly file?: ConfigFile,
    private readonly warn?: (message: string) => void,
  ) {}

  async get(nameOrId: string, signal?: AbortSignal): Promise<Unit> {
    const svc = await this.provider.inspect(nameOrId, signal);
    const name = svc.Spec.Name ?? svc.ID;
    const labels = svc.Spec.Labels ?? {};
    const config = idleConfigFor(name, labels, this.file);
    if (config.depsNote && !this.noted.has(config.depsNote)) {
      this.noted.add(config.depsNote);
      this.warn?.(config.depsNote);
    }
    const deps: UnitDep[] = [];
    for (const d of config.dependsOn) {
      if (d.compose) continue;
      const dep = await this.provider.inspect(d.ref, signal).catch((err: unknown) => {
        if (err instanceof BerthError && err.code === 'NOT_FOUND')
          throw new MissingDependency(name, d.ref, `service ${name} depends on ${d.ref}, which is not a service of this swarm`, { cause: err });
        throw err;
      });
      deps.push({ name: dep.Spec.Name ?? dep.ID, condition: d.condition });
    }
    const state = await this.provider.state(name, signal);
    const stack = labels[STACK_NAMESPACE];
    return { name, id: svc.ID, service: name, ...(stack ? { project: stack } : {}), labels, config, deps, state };
  }

  /** Every unit reachable from `root` through dependencies, by name (cycle-safe). */
  async graph(root: string, signal?: AbortSignal): Promise<Map<string, Unit>> {
    const units = new Map<string, Unit>();
    const todo = [root];
    while (todo.length) {
      const n = todo.pop()!;
      if (units.has(n)) continue;
      const u = await this.get(n, signal);
      units.set(n, u);
      if (u.name !== n) units.set(u.name, u);
      todo.push(...u.deps.map((d) => d.name));
    }
    return units;
  }
}
