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
 * A listed container's state. While a stop waits out its timeout (PID 1 ignoring SIGTERM), Podman lists
 * the container as `stopping` (and inspect says `Running: false`); docker says `running` until it exits.
 * Its process still runs: berth counts it as running, so a dependency outlives it as on docker.
 */
export function listedRunning(state: string | undefined): boolean {
  return state === 'running' || state === 'stopping';
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

/** The parts of a container's inspection the healthcheck schedule needs. */
export interface HealthView {
  Id: string;
  State?: { Running?: boolean; StartedAt?: string; Health?: { Status?: string; Log?: Array<{ End?: string }> | null } };
  Config?: { Healthcheck?: { Test?: string[]; Interval?: number } };
}

/** Docker's and Podman's interval when the healthcheck names none. */
const DEFAULT_INTERVAL_MS = 30_000;
/** How late a check may be before berth takes it for one that nothing will run. */
const OVERDUE_SLACK_MS = 1000;

/**
 * Healthchecks. Podman runs a container's healthcheck from a systemd timer; where there is no systemd
 * (containers, CI runners, small hosts) nothing runs it and the health stays `starting` for ever. A check
 * is overdue when its interval and a second have passed since the last one ended (or since the container
 * started) with no newer result; the caller then runs it (`runHealthcheck`).
 */
export function healthcheckOverdue(info: HealthView, nowMs: number): boolean {
  const health = info.State?.Health;
  const test = info.Config?.Healthcheck?.Test;
  if (!info.State?.Running || !health?.Status || !test?.length || test[0] === 'NONE') return false;
  const intervalMs = info.Config?.Healthcheck?.Interval ? info.Config.Healthcheck.Interval / 1e6 : DEFAULT_INTERVAL_MS;
  const log = health.Log ?? [];
  const last = Date.parse(log[log.length - 1]?.End ?? info.State.StartedAt ?? '');
  return Number.isFinite(last) && nowMs - last >= intervalMs + OVERDUE_SLACK_MS;
}

/** Runs the container's healthcheck once through libpod's API (Podman 4: GET; it answers with the new status). */
export async function runHealthcheck(engine: { api: { json<T>(req: { path: string; signal?: AbortSignal }): Promise<T> } }, id: string, signal?: AbortSignal): Promise<void> {
  await engine.api.json({ path: `/libpod/containers/${encodeURIComponent(id)}/healthcheck`, signal });
}

/**
 * Stats. Podman's compat readings carry no page-cache breakdown (`memory_stats.stats` is absent), so berth
 * cannot take the reclaimable file cache out of the memory used as docker does: memUsage and memPercent
 * then include it, as `podman stats` shows them. Said once per engine on stderr.
 */
export function statsNote(engine: { name: string; flavor: EngineFlavor }, several: boolean): string | undefined {
  if (engine.flavor !== 'podman') return undefined;
  return `${several ? `${engine.name}: ` : ''}Podman's stats give no page-cache breakdown: memUsage and memPercent include the file cache that docker stats leaves out (as podman stats shows them)`;
}

/** The part of libpod's GET /libpod/info that says whether Podman can read a container's own counters. */
export interface LibpodInfo {
  host?: { security?: { rootless?: boolean }; cgroupVersion?: string };
}

/**
 * Rootless Podman on cgroup v1 has no cgroup per container: its compat stats then send zeros for CPU and
 * PIDs and a memory figure that is not the container's (`podman stats` itself refuses). berth refuses too,
 * rather than show them. The reason, or undefined when the counters are the container's.
 */
export function noContainerStats(info: LibpodInfo | undefined): string | undefined {
  if (info?.host?.security?.rootless && info.host.cgroupVersion === 'v1') {
    return 'rootless Podman on cgroup v1 keeps no per-container counters (its stats would be zeros and the memory of something else; podman stats refuses too): use cgroup v2 or rootful Podman';
  }
  return undefined;
}

/** `noContainerStats` for a Podman engine (one request to libpod's info); undefined for docker. */
export async function statsRefusal(engine: { flavor: EngineFlavor; api: { json<T>(req: { path: string; signal?: AbortSignal }): Promise<T> } }, signal?: AbortSignal): Promise<string | undefined> {
  if (engine.flavor !== 'podman') return undefined;
  return noContainerStats(await engine.api.json<LibpodInfo>({ path: '/libpod/info', signal }).catch(() => undefined));
}

/**
 * Podman answers a request about a container removed meanwhile with 500 and "no such container" (a logs
 * re-attach after the removal, for one), where docker answers 404. True for that answer, so it maps to
 * berth's NOT_FOUND as docker's does.
 */
export function isPodmanNotFound(flavor: EngineFlavor, status: number | undefined, message: string): boolean {
  return flavor === 'podman' && status === 500 && /no such (container|object)/i.test(message);
}
