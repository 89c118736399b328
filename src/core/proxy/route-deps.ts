/**
 * Checks at every route discovery (serve's start, and each container or
 * service created, removed or renamed) that each route's dependencies exist,
 * by the wake path's own resolution (the unit source's `graph`), so the
 * check and a wake agree on what is missing. A route with a missing
 * dependency keeps its state (its container may be running and serving);
 * its life carries the problem, which /$berth/status shows, and one line
 * on stderr says it (once per message, again after it was fixed and came
 * back). Only routes with dependencies are checked: one graph each, in
 * parallel.
 */
import { MissingDependency } from '../idle/deps.js';
import type { UnitSource } from '../idle/wake.js';
import type { RouteLife } from './lifecycle.js';

export class DependencyCheck {
  /** The messages said on stderr and still true. */
  private said = new Set<string>();

  constructor(
    private readonly units: Pick<UnitSource, 'graph'>,
    private readonly warn: (message: string) => void,
  ) {}

  async run(lives: RouteLife[], signal: AbortSignal): Promise<void> {
    const found = await Promise.all(lives.map(async (l) => [l, l.idle.dependsOn?.length ? await this.missing(l.name, signal) : undefined] as const));
    const now = new Set<string>();
    for (const [life, problem] of found) {
      life.missing = problem;
      if (!problem) continue;
      const line = `${problem.message}; a request to ${life.name} that must wake it fails until it exists`;
      now.add(line);
      if (!this.said.has(line)) this.warn(line);
    }
    this.said = now;
  }

  /** The missing dependency a wake of `name` would stop at, if any; other errors are left to the wake. */
  private async missing(name: string, signal: AbortSignal): Promise<RouteLife['missing']> {
    try {
      await this.units.graph(name, signal);
      return undefined;
    } catch (err) {
      return err instanceof MissingDependency ? { dependency: err.dependency, message: err.message } : undefined;
    }
  }
}
