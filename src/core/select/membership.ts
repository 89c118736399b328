/**
 * One engine's containers as a map kept by its events: the listing taken
 * after each (re)connect seeds it, and each container event updates it
 * (create, start, die, pause, unpause, rename, destroy, health_status). Pure:
 * the engine watcher (engine-watcher.ts) owns the subscription and the
 * listing. An event about a container not in the map is applied only when
 * it can make it (create, or a start that carries the labels); others are
 * ignored (the next listing after a reconnect corrects what was missed).
 * Bound: one entry per container on the engine.
 */
import type { ContainerSummary } from '../engine/containers.js';
import { bareName } from '../engine/labels.js';
import { listedRunning } from '../engine/podman.js';
import type { EngineEvent } from '../events/source.js';
import { labelsOf } from './match.js';

/** A container as a listing or its events say it is (the idle lifecycle's `Seen` adds docker's status text). */
export interface ContainerState {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** running (or stopping) and not paused. */
  awake: boolean;
  paused: boolean;
  running: boolean;
}

export interface Member extends ContainerState {
  /** The listing's status text, as of `statusAt`; replaced by one made like docker's once an event changes it. */
  statusText: string;
  /** When the state last changed by an event (ms): the status text is then made from it. */
  changedAt?: number;
  exitCode?: string;
  health?: string;
}

export function memberFromListing(c: ContainerSummary): Member {
  const paused = c.State === 'paused';
  return {
    id: c.Id,
    name: bareName(c.Names?.[0]) ?? c.Id.slice(0, 12),
    labels: c.Labels ?? {},
    awake: listedRunning(c.State),
    paused,
    running: listedRunning(c.State) || paused,
    statusText: c.Status ?? c.State ?? '',
  };
}

/** The actions the view changes on (other container events are handed on to consumers unchanged). */
export const MEMBERSHIP_ACTIONS = ['create', 'start', 'die', 'destroy', 'rename', 'pause', 'unpause', 'health_status'];

/** What an event changed: the member after it (undefined when it left or was not known). */
export function applyEvent(members: Map<string, Member>, ev: EngineEvent): Member | undefined {
  const id = ev.Actor?.ID;
  if (!id) return undefined;
  const attrs = ev.Actor.Attributes ?? {};
  const at = Math.floor(Number(ev.nanos / 1_000_000n));
  let m = members.get(id);
  const action = ev.Action.split(':')[0]!.trim();
  if (!m) {
    if (action !== 'create' && action !== 'start') return undefined;
    m = { id, name: bareName(attrs.name) ?? id.slice(0, 12), labels: labelsOf(attrs), awake: false, paused: false, running: false, statusText: 'Created', changedAt: at };
    members.set(id, m);
  }
  switch (action) {
    case 'start':
      Object.assign(m, { awake: true, running: true, paused: false, changedAt: at, exitCode: undefined, health: undefined });
      break;
    case 'die':
      Object.assign(m, { awake: false, running: false, paused: false, changedAt: at, exitCode: attrs.exitCode ?? '0', health: undefined });
      break;
    case 'pause':
      // docker's "Up" counts from the start, not from a pause or an unpause.
      Object.assign(m, { awake: false, paused: true, changedAt: m.changedAt ?? at });
      break;
    case 'unpause':
      Object.assign(m, { awake: m.running, paused: false, changedAt: m.changedAt ?? at });
      break;
    case 'rename':
      m.name = bareName(attrs.name) ?? m.name;
      break;
    case 'health_status':
      m.health = ev.Action.slice(ev.Action.indexOf(':') + 1).trim();
      break;
    case 'destroy':
      members.delete(id);
      return undefined;
  }
  return m;
}

/** docker ps's status text: "Up 5 seconds (healthy)", "Up 2 minutes (Paused)", "Exited (137) 3 seconds ago", "Created". */
export function statusOf(m: Member, nowMs: number): string {
  if (m.changedAt === undefined) return m.statusText;
  const ago = humanDuration(nowMs - m.changedAt);
  if (m.running) return `Up ${ago}${m.paused ? ' (Paused)' : m.health ? ` (${m.health})` : ''}`;
  if (m.exitCode !== undefined) return `Exited (${m.exitCode}) ${ago} ago`;
  return m.statusText;
}

/** docker's HumanDuration (go-units), to the hour and the day. */
export function humanDuration(ms: number): string {
  const s = Math.floor(Math.max(0, ms) / 1000);
  if (s < 1) return 'Less than a second';
  if (s === 1) return '1 second';
  if (s < 60) return `${s} seconds`;
  const min = Math.floor(s / 60);
  if (min === 1) return 'About a minute';
  if (min < 60) return `${min} minutes`;
  const h = Math.round(s / 3600);
  if (h === 1) return 'About an hour';
  if (h < 48) return `${h} hours`;
  return `${Math.floor(h / 24)} days`;
}
