/**
 * The contract between the idle lifecycle (`wake`, `watch-idle`) and the
 * proxy (`serve`). The lifecycle talks to a Provider (containers:
 * provider.ts; swarm services: swarm/service-provider.ts), never to an
 * engine directly.
 */
import type { Counters } from './counters.js';
import type { InboundReading } from './connections.js';
import type { ContainerState } from '../select/membership.js';

export type { IdleAction, IdleRecord, IdleState, WakeEvent, WakeEventKind } from '../records.js';
import type { WakeEvent } from '../records.js';

/** A unit as the lifecycle owner's round sees it (containers: the engine watcher's view). */
export interface Seen extends ContainerState {
  /** docker's status text, e.g. "Exited (137) 2 seconds ago" */
  status: string;
}

export type StopMethod = 'stop' | 'pause' | 'kill';

/**
 * A managed unit's lifecycle operations and readings: everything the wake path and the lifecycle
 * owner (lifecycle-owner.ts) ask of an engine goes through it. Implemented for containers (provider.ts)
 * and for swarm services (swarm/service-provider.ts).
 */
export interface Provider {
  /** Current state as the engine sees it. */
  state(name: string, signal?: AbortSignal): Promise<{ running: boolean; paused: boolean; exitCode?: number; health?: string; id: string; pending?: string }>;
  /** `known`: the state the caller just read, so the provider need not read it again. */
  start(name: string, signal?: AbortSignal, known?: { running: boolean; paused: boolean }): Promise<void>;
  stop(name: string, method: StopMethod, opts: { signal?: string; timeoutSec?: number }): Promise<void>;
  /** Every unit, awake or not, with its labels: one listing (a round of the lifecycle owner). */
  list(signal?: AbortSignal): Promise<Seen[]>;
  /** A unit's cumulative activity counters (network bytes, CPU), read once. */
  counters(id: string, signal: AbortSignal, now?: () => number): Promise<Counters>;
  /**
   * The established connections to the unit's listening ports (connections.ts), read now; a string says
   * why they could not be read (the stop record then says "connections not checked (why)").
   */
  connections(id: string, signal?: AbortSignal): Promise<InboundReading>;
  /** Runs a busy-check command in the unit: its exit code, or why there is none. */
  exec(id: string, cmd: string[]): Promise<number | string>;
  /** Yields on every start, die, pause and unpause of a unit, until the signal (rounds come sooner). */
  changes(signal: AbortSignal): AsyncIterable<unknown>;
  /** How wake records name a start and the default readiness for these units (containers: "started", "healthcheck if it has one, else running"). */
  readonly wording?: { started: string; ready: string };
}

/**
 * Wakes a container (dependencies first) and resolves when it is ready;
 * concurrent calls for the same container share one wake (single flight).
 * `onEvent` receives every progress event of the shared wake.
 */
export type Waker = (container: string, opts: WakeOptions) => Promise<void>;

/**
 * One wake of a container, not de-duplicated: `emit` gets its progress, `signal` ends it. Resolves with
 * the state its readiness was read from, when it has one (serve's route takes the upstream address
 * from it, with no second look at the engine).
 */
export type WakeOnce = (container: string, emit: (e: WakeEvent) => void, signal: AbortSignal, opts: WakeOptions) => Promise<ReadyAt | void>;

/** A unit as its wake found it ready (provider.ts UnitState has these): its address, where it has one (a container's). */
export interface ReadyAt {
  running: boolean;
  address?: string;
}

/**
 * The one wake path: `waker` de-duplicates (one flight per container, however
 * many callers); `join` lets a caller that must do its own work once per wake
 * (serve's route: its state, metrics, upstream address) run that work as the
 * flight itself, around `once`. There is no other de-duplication point.
 */
export interface WakePath {
  waker: Waker;
  once: WakeOnce;
  join(container: string, run: (emit: (e: WakeEvent) => void, signal: AbortSignal) => Promise<void>): Promise<void>;
  /** A wake of this container is in flight. */
  inFlight(container: string): boolean;
  /**
   * The container whose wake in this process started (or unpaused) `unit` (`unit` itself, or a
   * container that depends on it), taken once (start-notes.ts); undefined when no wake here did.
   */
  startedBy(unit: string): string | undefined;
}

export interface WakeOptions {
  signal?: AbortSignal;
  onEvent?: (e: WakeEvent) => void;
  timeoutMs?: number;
  /** The port the caller will connect to: without a probe or healthcheck, ready once it accepts a connection. */
  port?: number;
}
