/**
 * The contract between the idle lifecycle (`wake`, `watch-idle`) and the
 * proxy (`serve`), fixed here so both can be built against it. The lifecycle
 * talks to a Provider (containers today, Swarm services later), never to
 * dockerode directly.
 */

/** Lifecycle states of a managed container. */
export type IdleState = 'napping' | 'starting' | 'ready' | 'error';

/** Kinds of wake progress events, in the order a wake emits them. */
export type WakeEventKind = 'starting' | 'waking_dep' | 'dep_ready' | 'container_woke' | 'waiting_ready' | 'ready' | 'error';

/** One step of a wake; NDJSON record `type:"wake"` (docs/records.md). */
export interface WakeEvent {
  type: 'wake';
  event: WakeEventKind;
  ts: string;
  /** The container being woken (the one the user asked for). */
  container: string;
  /** The dependency concerned, for waking_dep / dep_ready. */
  dep?: string;
  message: string;
}

/** A state transition; NDJSON record `type:"idle"`. */
export interface IdleRecord {
  type: 'idle';
  ts: string;
  container: string;
  id?: string;
  from: IdleState | 'unknown';
  to: IdleState;
  reason: string;
  /**
   * What berth did, when the record is about its own action: `stop`, `pause`,
   * `kill`, `start`; `keep` (a stop was vetoed: busy, in use by a dependent;
   * then from = to) or `would_stop` (--dry-run). Left out for changes berth
   * only observed.
   */
  action?: IdleAction;
}

export type IdleAction = 'stop' | 'pause' | 'kill' | 'start' | 'keep' | 'would_stop';

export type StopMethod = 'stop' | 'pause' | 'kill';

/** A managed unit's lifecycle operations; implemented for containers (and later Swarm services). */
export interface Provider {
  /** Current state as the engine sees it. */
  state(name: string, signal?: AbortSignal): Promise<{ running: boolean; paused: boolean; exitCode?: number; health?: string; id: string }>;
  start(name: string, signal?: AbortSignal): Promise<void>;
  stop(name: string, method: StopMethod, opts: { signal?: string; timeoutSec?: number }): Promise<void>;
}

/**
 * Wakes a container (dependencies first) and resolves when it is ready;
 * concurrent calls for the same container share one wake (single flight).
 * `onEvent` receives every progress event of the shared wake.
 */
export type Waker = (container: string, opts: { signal?: AbortSignal; onEvent?: (e: WakeEvent) => void; timeoutMs?: number }) => Promise<void>;
