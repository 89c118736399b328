/**
 * The options of the lifecycle owner (LifecycleOwner, lifecycle-owner.ts),
 * apart so that its parts (owner-*.ts) can name what they use of them.
 */
import type { Claims } from './claims.js';
import type { ConfigFile } from './config-file.js';
import type { IdleConfig } from './config.js';
import type { IdleRecord, Provider } from './types.js';

export interface LifecycleOwnerOptions {
  /** Every listing, counter reading, busy check, change feed and stop goes through it: the owner never calls an engine itself. */
  provider: Provider;
  file?: ConfigFile;
  /** Manage only these (a function: asked every round); default: every container with berth.idle.timeout. */
  names?: string[] | (() => string[]);
  /** Idle timeout for managed containers without berth.idle.timeout (those named). */
  defaultTimeoutMs?: number;
  intervalMs: number;
  dryRun?: boolean;
  emit: (r: IdleRecord) => void | Promise<void>;
  warn: (message: string) => void;
  /** Print only berth's own actions, not what it finds (for --once). */
  actionsOnly?: boolean;
  now?: () => number;
  /** Also manage every dependency (transitively) of the managed containers (serve: the dependencies its wakes start). */
  withDeps?: boolean;
  /** Running inside serve: no advice about flags watch-idle has. */
  embedded?: boolean;
  /** Activity this process sees beside the counters (serve's requests, streams, connections); `last` in ms, 0 = none. */
  activity?: (name: string) => { inflight: number; last: number } | undefined;
  /**
   * Puts a container to sleep when the caller owns its stop (serve, for its
   * routes): resolves true when it slept. Undefined: the watcher stops it.
   */
  sleep?: (name: string, cfg: IdleConfig, reason: string) => Promise<boolean> | undefined;
  /**
   * Containers the caller fronts (serve's routes): it reports their
   * transitions itself, and all their traffic passes through it, so their
   * network counters are not activity (a proxied health check would keep
   * them awake); only the caller's `activity` and their dependents count.
   */
  fronted?: (name: string) => boolean;
  /**
   * Fronted containers whose bytes another proxy also carries (serve's gate routes: the user's nginx
   * or Caddy carries a WebSocket or a download after one question to the gate): their network
   * counters are activity again, as for a container nobody fronts.
   */
  carried?: (name: string) => boolean;
  /** Cross-process ownership; without it, this process assumes it is alone. */
  claims?: Claims;
  /**
   * Why a unit seen awake again was started, when this process started it (serve: a wake of its own,
   * WakePath.startedBy), e.g. "woken by this serve (dependency of app)"; asked once per start seen.
   * Undefined: it was started outside this watcher.
   */
  startedHere?: (name: string) => string | undefined;
  /**
   * A connection's peer (ip, port) that is one of this process's own sockets (serve's upstream pool and
   * proxied connections): not counted as an open connection (serve counts its own traffic as activity;
   * an idle pooled socket is not use).
   */
  ownPeer?: (ip: string, port: number) => boolean;
}
