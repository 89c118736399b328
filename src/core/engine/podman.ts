/**
 * Podman behind the Docker Engine API: what tells it apart, and each of its differences that berth
 * handles, in one place (docs/podman.md lists them with their tests). Engines are told apart by what they
 * answer (the /version reply's component names), never by a flag the user passes.
 */

export type EngineFlavor = 'docker' | 'podman';

/** The fields of GET /version berth reads. */
export interface VersionReply {
  ApiVersion?: string;
  Components?: Array<{ Name?: string }>;
  Platform?: { Name?: string };
}

/** 'podman' when a component of the engine is Podman's ("Podman Engine"); else 'docker'. */
export function flavorOf(v: VersionReply): EngineFlavor {
  return (v.Components ?? []).some((c) => /^podman\b/i.test(c.Name ?? '')) ? 'podman' : 'docker';
}

/**
 * Events. Podman's compat API names a removal `remove` where docker says `destroy`, and its `event`
 * filter matches its own names only (`died`, `remove`: a filter on `die` or `destroy` matches nothing,
 * though the events it sends say `die`). berth asks in Podman's names and hands on docker's.
 */
const PODMAN_FILTER_NAME: Record<string, string> = { die: 'died', destroy: 'remove' };
const DOCKER_ACTION: Record<string, string> = { remove: 'destroy', died: 'die' };

/** The `event` filter's values in the engine's own names. */
export function eventFiltersFor(flavor: EngineFlavor, filters: Record<string, string[]> | undefined): Record<string, string[]> | undefined {
  if (flavor !== 'podman' || !filters?.event) return filters;
  return { ...filters, event: filters.event.map((v) => PODMAN_FILTER_NAME[v] ?? v) };
}

/** A container event's action in docker's name (`remove` -> `destroy`); others are left as the engine sent them. */
export function dockerAction(flavor: EngineFlavor, type: string, action: string): string {
  return flavor === 'podman' && type === 'container' ? (DOCKER_ACTION[action] ?? action) : action;
}

/**
 * Podman 4.3 sends no event at all for a window whose `until` has passed (docker sends the window's
 * events, then ends). berth asks Podman up to a second from now and drops what is past `until` itself.
 */
export function untilFor(flavor: EngineFlavor, until: bigint | undefined, nowNanos: bigint): bigint | undefined {
  if (flavor !== 'podman' || until === undefined) return until;
  const soon = nowNanos + 1_000_000_000n;
  return until < soon ? soon : until;
}
