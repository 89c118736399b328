/**
 * What a wake looks like to an anonymous client (one without the bearer
 * token; with no token configured, every client): the loading page and its
 * event stream are open to anyone who reaches the route, so they show the
 * steps of the wake ("Step 2 of 8: starting a dependency") but never the
 * names of dependencies, budgets, readiness checks or error details. Those
 * are for admins (the token), the records and the logs. The route's own
 * container name stays: it is what the page is about.
 */
import type { WakeEvent, WakeEventKind } from '../idle/types.js';

const PUBLIC_MESSAGE: Record<WakeEventKind, (container: string) => string> = {
  starting: (c) => `waking ${c}`,
  waking_dep: () => 'starting a dependency',
  dep_ready: () => 'a dependency is ready',
  container_woke: (c) => `${c} started`,
  waiting_ready: (c) => `waiting for ${c} to be ready`,
  ready: (c) => `${c} is ready`,
  error: () => "the wake failed (the reason is in berth serve's output)",
};

const isWakeEvent = (d: unknown): d is WakeEvent => typeof d === 'object' && d !== null && (d as WakeEvent).type === 'wake';

/** The event as the public sees it: kind, time, container, its step and the estimate kept; the message generic; no `dep` or `deps`. */
export function publicWakeEvent(e: WakeEvent): WakeEvent {
  const message = PUBLIC_MESSAGE[e.event]?.(e.container) ?? e.event;
  const step = e.step !== undefined && e.steps !== undefined ? { step: e.step, steps: e.steps } : {};
  return { type: 'wake', event: e.event, ts: e.ts, container: e.container, message, ...step, ...(e.estimate ? { estimate: e.estimate } : {}) };
}

/** For the SSE hub: wake events redacted, anything else as it is. */
export const publicView = (data: unknown): unknown => (isWakeEvent(data) ? publicWakeEvent(data) : data);

/** The failure message a person sees on the error page: the real one for admins, a generic one otherwise. */
export const publicFailure = (container: string, message: string, detailed: boolean) => (detailed ? message : PUBLIC_MESSAGE.error(container));
