/**
 * Dependencies as a graph of names, pure:
 * - `wakeOrder`: what to start before a container, dependencies first
 *   (topological order, each once); a cycle is an error naming it;
 * - `awakeDependents`: reference counting for sleep: the awake containers that
 *   need a dependency, directly or through others. A dependency may sleep only
 *   when this list is empty.
 */
import { BerthError } from '../errors.js';

export type DepsOf = (name: string) => readonly string[];

/** The dependencies of `root`, transitively, each after its own dependencies; `root` is not included. */
export function wakeOrder(root: string, depsOf: DepsOf): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (name: string) => {
    if (done.has(name)) return;
    const at = path.indexOf(name);
    if (at >= 0) throw cycleError([...path.slice(at), name]);
    path.push(name);
    for (const dep of depsOf(name)) visit(dep);
    path.pop();
    done.add(name);
    if (name !== root) order.push(name);
  };
  visit(root);
  return order;
}

/** A dependency that names nothing on the engine (no such container, service or swarm service): `dependency` as configured. */
export class MissingDependency extends BerthError {
  constructor(
    readonly unit: string,
    readonly dependency: string,
    message: string,
    opts: { cause?: unknown } = {},
  ) {
    super('NOT_FOUND', message, opts);
  }
}

export function cycleError(cycle: string[]): BerthError {
  return new BerthError('CONFIG', `dependency cycle: ${cycle.join(' -> ')}`, { hint: 'remove one of these depends_on entries' });
}

/** Awake containers among `all` that depend on `name`, directly or transitively, sorted. */
export function awakeDependents(name: string, all: Iterable<string>, depsOf: DepsOf, isAwake: (n: string) => boolean): string[] {
  const out: string[] = [];
  for (const other of all) {
    if (other === name || !isAwake(other)) continue;
    if (reaches(other, name, depsOf)) out.push(other);
  }
  return out.sort();
}

/** Does `from` depend on `to`, following dependency edges (cycle-safe)? */
export function reaches(from: string, to: string, depsOf: DepsOf): boolean {
  const seen = new Set<string>([from]);
  const stack = [...depsOf(from)];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === to) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...depsOf(n));
  }
  return false;
}

/** `roots` and everything they depend on, transitively (each once, roots first). */
export function closure(roots: readonly string[], depsOf: DepsOf): string[] {
  const out = new Set<string>(roots);
  const stack = [...roots];
  while (stack.length) {
    for (const d of depsOf(stack.pop()!)) {
      if (out.has(d)) continue;
      out.add(d);
      stack.push(d);
    }
  }
  return [...out];
}
