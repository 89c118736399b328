/**
 * GET /$berth/status: every route's state, last activity and time to sleep,
 * as JSON, read from memory: it never wakes anything, so uptime monitors can
 * poll it.
 */
import type { Activity } from './activity.js';
import type { RouteLife } from './lifecycle.js';

export interface RouteStatus {
  container: string;
  hosts: string[];
  tcp: number[];
  state: string;
  /** When the state last changed (RFC 3339). */
  since: string;
  /** Last activity (RFC 3339): now while a request, stream or connection is in flight; null when none since berth started. */
  lastActivity: string | null;
  inflight: number;
  /** Idle timeout in seconds; 0 = never sleeps. */
  idleTimeoutSec: number;
  /** Seconds until it sleeps when nothing happens, or null (asleep, in use, or never sleeps). */
  sleepsInSec: number | null;
  error?: string;
  /** A dependency that does not exist (as configured), found when the routes were discovered: a wake of this route would fail on it. */
  missingDependency?: string;
  /** Why, for a person: `container app depends on nosuch, which has no container`. */
  problem?: string;
}

export function routeStatus(life: RouteLife, activity: Activity): RouteStatus {
  const a = activity.get(life.name);
  const last = activity.lastActive(life.name);
  const sleeps = life.state === 'ready' ? activity.sleepsIn(life.name, life.idle.timeoutMs, life.changedAt) : undefined;
  return {
    container: life.name,
    hosts: life.route.hosts,
    tcp: life.route.tcp.map((t) => t.listen),
    state: life.state,
    since: new Date(life.changedAt).toISOString(),
    lastActivity: last ? new Date(last).toISOString() : null,
    inflight: a.inflight,
    idleTimeoutSec: life.idle.timeoutMs / 1000,
    sleepsInSec: sleeps === undefined ? null : Math.round(sleeps / 100) / 10,
    ...(life.error && life.state === 'error' ? { error: life.error } : {}),
    ...(life.missing ? { missingDependency: life.missing.dependency, problem: life.missing.message } : {}),
  };
}

export function statusDocument(lives: RouteLife[], activity: Activity): { ts: string; routes: RouteStatus[] } {
  return { ts: new Date().toISOString(), routes: lives.map((l) => routeStatus(l, activity)) };
}
