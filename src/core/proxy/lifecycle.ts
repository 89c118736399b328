/**
 * One route's life as the proxy sees it: napping -> starting -> ready ->
 * napping, and error. A wake goes through the one wake path (src/core/idle:
 * its single flight, dependencies, readiness); the route's own work for a
 * wake (state, wake history, metrics, upstream address, SSE) runs once, as
 * that flight itself (WakePath.join), however many requests arrive, on the
 * server's signal, so a requester going away does not cancel it. Progress
 * events go to the route's SSE hub; `ready` is published only once the
 * upstream address is known (upstream.ts), so a browser that reloads on it
 * finds the app.
 */
import type { IdleConfig } from '../idle/config.js';
import type { IdleRecord, IdleState, Provider, WakeEvent, WakePath } from '../idle/types.js';
import type { ProxyMetrics } from './metrics.js';
import type { Route } from './routes.js';
import { SseHub, type SubscriberBudget } from './sse.js';
import { Upstreams, type Address, type UpstreamSource } from './upstream.js';
import { failureKind, WakeFailure, type WakeFailureKind } from '../idle/wake-failure.js';

/** The idle settings the proxy uses (src/core/idle/config.ts parses them). */
export type RouteIdle = Pick<IdleConfig, 'timeoutMs' | 'wakeTimeoutMs' | 'stopMethod' | 'stopSignal' | 'stopTimeoutSec'> & Partial<Pick<IdleConfig, 'dependsOn'>>;

export interface LifeDeps {
  /** Where a route is reached: its container's address, or a swarm service's tasks. */
  upstreams: UpstreamSource;
  /** The one wake path (its flights are the only de-duplication of wakes). */
  wakes: WakePath;
  provider: Provider;
  metrics: ProxyMetrics;
  budget: SubscriberBudget;
  /** The server's signal: aborts wakes only on shutdown. */
  signal: AbortSignal;
  record: (r: IdleRecord | WakeEvent) => void;
  /** A failed wake is answered as failed for this long before a request may try again. */
  errorHoldMs: number;
  /** Overrides the wake budget (default: the container's wake_timeout plus its dependencies'). */
  wakeTimeoutMs?: number;
  now?: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The least time a woken service's endpoints get to accept connections after its tasks run. */
export const READY_GRACE_MS = 5000;

/** How many past wake durations a route keeps for its estimate. */
export const WAKE_HISTORY = 9;

export function median(xs: readonly number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export class RouteLife {
  state: IdleState = 'napping';
  changedAt: number;
  /** The container's full id, for records (set when the route is found). */
  id: string | undefined;
  error: string | undefined;
  /** Why the last wake failed, or why the container went down on its own (exited), while in `error`. */
  failure: WakeFailureKind | undefined;
  /** A dependency that does not exist, as the last route discovery found (route-deps.ts): a wake would fail on it. */
  missing: { dependency: string; message: string } | undefined;
  /** Aborted when this run of the container ends (it exited, or was put to sleep): requests to it fail at once. */
  private run = new AbortController();
  /** When the last wake ended ready (ms), for the connect grace of a just-woken app. */
  readyAt = 0;
  /** Durations of this route's last successful wakes (ms), newest last, at most WAKE_HISTORY. */
  readonly wakeTimes: number[] = [];
  private wakeT0 = 0;
  private steps = { done: 0, of: 0 };
  /** Upstream endpoints by container port, read once per run of a container (upstream.ts). */
  private readonly upstreams: Upstreams;
  readonly hub: SseHub;
  private stopping: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    public route: Route,
    public idle: RouteIdle,
    private readonly deps: LifeDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.changedAt = this.now();
    this.hub = new SseHub(deps.budget);
    this.upstreams = new Upstreams(deps.upstreams, this.now);
  }

  get name(): string {
    return this.route.container;
  }

  /** `action`: how berth itself put the container to sleep (stop, pause, kill); left out for what it only observed. */
  setState(to: IdleState, reason: string, action?: IdleRecord['action']): void {
    if (to === this.state) return;
    const from = this.state;
    this.state = to;
    this.changedAt = this.now();
    const id = this.id !== undefined ? { id: this.id } : {};
    this.deps.record({ type: 'idle', ts: iso(this.changedAt), container: this.name, ...id, ...(action ? { action } : {}), from, to, reason });
  }

  /** The idle stop under way, if any: shutdown waits for it (a stop once begun is finished, and printed). */
  get stopInProgress(): Promise<void> | undefined {
    return this.stopping;
  }

  /** A wake is in progress. */
  get isWaking(): boolean {
    return this.deps.wakes.inFlight(this.name);
  }

  /** Ready and not being put to sleep: requests go straight through. */
  get awake(): boolean {
    return this.state === 'ready' && !this.stopping;
  }

  /** Ends with the container's current run: requests forwarded to it are cut at once when it dies. */
  get runSignal(): AbortSignal {
    return this.run.signal;
  }

  /** It exited by itself (crashed, after a wake or later): only a page load or an API client may wake it again, never a subresource. */
  get crashed(): boolean {
    return this.state === 'error' && this.failure === 'exited';
  }

  /** True while a failed wake is still answered as failed. */
  get failedRecently(): boolean {
    return this.state === 'error' && this.now() - this.changedAt < this.deps.errorHoldMs;
  }

  /**
   * Wakes the container; resolves when ready with a known address. One
   * flight of the wake path however many callers: this route's own work
   * (state, metrics, address, SSE) runs once, as the flight.
   */
  wake(): Promise<void> {
    if (this.state === 'ready' && !this.stopping) return Promise.resolve();
    return this.deps.wakes.join(this.name, () => this.runWake());
  }

  private async runWake(): Promise<void> {
    if (this.stopping) await this.stopping;
    const t0 = this.now();
    this.hub.reset();
    this.error = undefined;
    this.failure = undefined;
    this.run = new AbortController();
    this.wakeT0 = t0;
    this.steps = { done: 0, of: 0 };
    this.setState('starting', 'request');
    let ready: WakeEvent | undefined;
    let failed: WakeEvent | undefined;
    const onEvent = (e: WakeEvent) => {
      if (e.event === 'ready') ready = e;
      else this.publish(e);
      if (e.event === 'error') failed = e;
    };
    try {
      // The port serve connects to is part of readiness (without a probe or healthcheck): ready means it accepts.
      // A container's is checked by the wake path; a service's, on every task's endpoint, once its tasks run.
      const up = this.deps.upstreams;
      const at = await this.deps.wakes.once(this.name, onEvent, this.deps.signal, {
        ...(up.portInWake && this.hasPorts ? { port: this.primaryPort } : {}),
        ...(this.deps.wakeTimeoutMs ? { timeoutMs: this.deps.wakeTimeoutMs } : {}),
      });
      this.upstreams.forget();
      // The address the readiness step read is where the container is now: no second inspect.
      await this.upstreams.load(this.name, this.primaryPort, this.deps.signal, at || undefined);
      if (up.ready) await this.endpointsReady(up.ready, t0);
    } catch (err) {
      this.fail(err, failed, t0);
      throw err;
    }
    this.deps.metrics.wake(this.name, true, (this.now() - t0) / 1000);
    this.wakeTimes.push(this.now() - t0);
    if (this.wakeTimes.length > WAKE_HISTORY) this.wakeTimes.shift();
    this.readyAt = this.now();
    this.setState('ready', 'woke');
    this.publish(ready ?? { type: 'wake', event: 'ready', ts: iso(this.now()), container: this.name, message: `${this.name} is ready` });
  }

  /** A service's tasks run before their apps listen: waits until every endpoint accepts, within the wake budget. */
  private async endpointsReady(ready: NonNullable<UpstreamSource['ready']>, t0: number): Promise<void> {
    const port = this.primaryPort;
    const list = this.upstreams.endpoints(port);
    const budget = this.deps.wakeTimeoutMs ?? this.idle.wakeTimeoutMs;
    // Within the route's budget from the wake's start, and at least READY_GRACE_MS after its tasks run.
    if (await ready(list, Math.max(t0 + budget, this.now() + READY_GRACE_MS), this.deps.signal)) return;
    throw new WakeFailure(
      'timeout',
      this.name,
      `${this.name} was not ready after ${budget / 1000}s (waiting for port ${port} of its ${list.length} task${list.length === 1 ? '' : 's'} to accept connections)`,
    );
  }

  private fail(err: unknown, failed: WakeEvent | undefined, t0: number): void {
    this.error = (err as Error)?.message ?? String(err);
    this.failure = failureKind(err);
    this.deps.metrics.wake(this.name, false, (this.now() - t0) / 1000);
    this.setState('error', this.error);
    if (!failed) this.publish({ type: 'wake', event: 'error', ts: iso(this.now()), container: this.name, message: this.error });
  }

  private publish(e: WakeEvent): void {
    this.hub.publish('wake', this.withProgress(e));
    this.deps.record(e);
  }

  /**
   * The page's view of a wake event: its step among the wake's steps
   * (starting, two per dependency, container woke, waiting, ready) and the
   * time left as estimated from this route's previous wakes (the median);
   * no estimate before the first measured wake.
   */
  private withProgress(e: WakeEvent): WakeEvent {
    if (e.event === 'starting') this.steps.of = 4 + 2 * (e.deps?.length ?? 0);
    this.steps.done = e.event === 'ready' ? this.steps.of : Math.min(this.steps.done + 1, this.steps.of || Infinity);
    const out: WakeEvent = { ...e, ...(this.steps.of ? { step: this.steps.done, steps: this.steps.of } : {}) };
    const est = median(this.wakeTimes);
    if (est === undefined || e.event === 'ready' || e.event === 'error') return out;
    return { ...out, estimate: { leftMs: Math.max(0, Math.round(est - (this.now() - this.wakeT0))), fromWakes: this.wakeTimes.length } };
  }

  /** An HTTP or TCP route; false for a container only named on the API listener (sablier.enable): its readiness is its own (healthcheck, probe, running). */
  get hasPorts(): boolean {
    return this.route.hosts.length > 0 || this.route.tcp.length > 0;
  }

  /** The port checked at wake: the HTTP port, or the first TCP route's for a TCP-only route. */
  get primaryPort(): number {
    return this.route.hosts.length || !this.route.tcp.length ? this.route.port : this.route.tcp[0]!.upstream;
  }

  /** The HTTP port's address when already known (the fast path of an awake route). */
  cachedUpstream(): Address | undefined {
    return this.upstreams.take(this.route.port);
  }

  /** The upstream address of a container port (default: the HTTP port); a service's tasks in turn. */
  async upstream(port = this.route.port): Promise<Address> {
    const known = this.upstreams.take(port);
    if (known) return known;
    await this.upstreams.load(this.name, port, this.deps.signal);
    return this.upstreams.take(port)!;
  }

  /** Another endpoint of `port` for a request that could not use `failed` (Upstreams.instead). */
  instead(port: number, failed: Address, tried: readonly Address[], unreachable: boolean): Address | undefined {
    return this.upstreams.instead(port, failed, tried, unreachable);
  }

  /** Puts the container to sleep (idle timeout reached); `reason`: the lifecycle owner's, for the record. */
  sleep(reason?: string): Promise<void> {
    this.stopping ??= (async () => {
      this.hub.reset(); // a page opened now must not see the last wake's `ready`
      try {
        await this.deps.provider.stop(this.name, this.idle.stopMethod, { signal: this.idle.stopSignal, timeoutSec: this.idle.stopTimeoutSec });
        this.deps.metrics.stops.inc({ route: this.name, reason: 'idle' });
        this.upstreams.forget();
        this.run.abort(new WakeFailure('exited', this.name, `${this.name} was put to sleep`));
        this.setState('napping', reason ?? `idle for ${this.idle.timeoutMs / 1000}s (no request, stream or connection)`, this.idle.stopMethod);
      } catch (err) {
        this.setState('error', `stop failed: ${(err as Error).message}`);
      } finally {
        this.stopping = undefined;
      }
    })();
    return this.stopping;
  }

  /**
   * The engine reported a start, die, pause or unpause. Events can arrive late
   * (after a wake that already failed, say), so the state is read back from
   * the engine before it is believed. A wake or stop in progress owns the state.
   */
  async refresh(): Promise<void> {
    if (this.isWaking || this.stopping) return;
    let up: boolean;
    let exitCode: number | undefined;
    try {
      const st = await this.deps.provider.state(this.name, this.deps.signal);
      up = st.running && !st.paused;
      exitCode = st.running ? undefined : st.exitCode;
    } catch {
      up = false;
    }
    if (this.isWaking || this.stopping) return;
    this.upstreams.forget();
    if (up && this.state !== 'ready' && this.state !== 'starting') this.setState('ready', 'started outside the proxy');
    if (!up && this.state === 'ready') {
      this.deps.metrics.stops.inc({ route: this.name, reason: 'external' });
      this.went(exitCode);
    }
  }

  /**
   * The container went down while ready. Requests waiting on it fail at once
   * (its run signal). Exited with a non-zero code on its own: it crashed, and
   * is answered as failed for a while instead of being woken again at once.
   */
  private went(exitCode: number | undefined): void {
    const crashed = exitCode !== undefined && exitCode !== 0 && exitCode !== 137 && exitCode !== 143;
    const why = crashed ? `${this.name} exited with code ${exitCode} after it was ready` : `${this.name} was stopped outside the proxy`;
    this.run.abort(new WakeFailure('exited', this.name, why, { hint: `see why with: docker logs ${this.name}` }));
    if (!crashed) return this.setState('napping', 'stopped outside the proxy');
    this.error = why;
    this.failure = 'exited';
    this.setState('error', why);
  }
}
