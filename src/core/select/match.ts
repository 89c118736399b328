/**
 * Does a container an engine event names belong to a --project/--filter
 * selection? Decided from the event's attributes (a container event carries
 * the container's labels and its name) for the keys that can be: `label`
 * (every one must hold, as docker ps takes them), `name` (any, a regular
 * expression as docker takes it), `id` (any, a prefix) and the project. Any
 * other key (status, ancestor, network, ...) is left to the engine
 * (`undefined`), so docker's own semantics hold exactly.
 */
import { COMPOSE_PROJECT, STACK_NAMESPACE } from '../engine/labels.js';
import { inServices, type Selection } from '../engine/select.js';

export function matchAttributes(sel: Selection, id: string, attrs: Record<string, string>): boolean | undefined {
  if (sel.project !== undefined && attrs[COMPOSE_PROJECT] !== sel.project) return false;
  if (sel.stack !== undefined && attrs[STACK_NAMESPACE] !== sel.stack) return false;
  if (!inServices(sel, attrs)) return false;
  let ok = true;
  for (const [key, values] of Object.entries(sel.filters ?? {})) {
    if (!values.length) continue;
    if (key === 'label') ok &&= values.every((v) => hasLabel(attrs, v));
    else if (key === 'name') ok &&= values.some((v) => nameMatches(v, attrs.name ?? ''));
    else if (key === 'id') ok &&= values.some((v) => id.startsWith(v));
    else return undefined;
  }
  return ok;
}

function hasLabel(attrs: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=');
  if (eq === -1) return attrs[filter] !== undefined;
  return attrs[filter.slice(0, eq)] === filter.slice(eq + 1);
}

function nameMatches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(`/${name}`);
  } catch {
    return name.includes(pattern);
  }
}

/** The container's labels from a create/start event's attributes (which add `image` and `name` to them). */
export function labelsOf(attrs: Record<string, string>): Record<string, string> {
  const { image: _i, name: _n, ...labels } = attrs;
  return labels;
}
