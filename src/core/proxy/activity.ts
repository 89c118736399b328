/**
 * Activity per route: what keeps a container awake. A request, stream, SSE
 * subscription, WebSocket or TCP connection counts from its start to its end
 * (`begin` returns the end), so anything in flight keeps the container awake
 * however long it lasts, and counts as active now (`lastActive`); its end
 * refreshes the last-activity time. Idle keep-alive sockets are not counted.
 * Memory: one small entry per route.
 */
export interface RouteActivity {
  inflight: number;
  /** ms since the epoch; 0 = never. */
  last: number;
}

export class Activity {
  private readonly byRoute = new Map<string, RouteActivity>();

  constructor(private readonly now: () => number = Date.now) {}

  get(name: string): RouteActivity {
    let a = this.byRoute.get(name);
    if (!a) this.byRoute.set(name, (a = { inflight: 0, last: 0 }));
    return a;
  }

  touch(name: string): void {
    this.get(name).last = this.now();
  }

  /** Counts something in flight; call the returned function once when it ends (extra calls are ignored). */
  begin(name: string): () => void {
    const a = this.get(name);
    a.inflight++;
    a.last = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      a.inflight--;
      a.last = this.now();
    };
  }

  /** The last moment of activity (ms): now while something is in flight; 0 = never. */
  lastActive(name: string): number {
    const a = this.get(name);
    return a.inflight > 0 ? this.now() : a.last;
  }

  /**
   * How long until the route may sleep, in ms: 0 = now, undefined = not while
   * something is in flight or when it never sleeps (timeout 0). The timer
   * counts from the last activity, or from `awakeSince` (when the container
   * last became ready, by a wake or a start outside the proxy) if later: a
   * container started by hand gets its whole timeout.
   */
  sleepsIn(name: string, timeoutMs: number, awakeSince = 0): number | undefined {
    const a = this.get(name);
    if (timeoutMs <= 0 || a.inflight > 0) return undefined;
    return Math.max(0, Math.max(a.last, awakeSince) + timeoutMs - this.now());
  }

  forget(name: string): void {
    this.byRoute.delete(name);
  }
}
