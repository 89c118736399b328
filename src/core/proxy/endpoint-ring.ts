/**
 * A route's endpoints taken in turn (a swarm service's tasks; a container has one), and the ones that
 * could not be reached left out for a while. When a connect to one fails before a byte was sent, the
 * request goes on to another (connect-retry.ts) and the failed one is benched: later requests skip it
 * until BENCH_MS pass or it leaves the list (the manager's task list changed). A benched endpoint is
 * still used when no other is left: a request is never refused while there is one to try. Pure: the
 * caller gives the time.
 */
/** Where an endpoint is reached (upstream.ts resolves them). */
export interface Address {
  host: string;
  port: number;
}

/** How long an endpoint that refused a connection is left out of the turn. */
export const BENCH_MS = 10_000;

const key = (a: Address) => `${a.host}:${a.port}`;

export class EndpointRing {
  private list: readonly Address[] = [];
  private turn = 0;
  /** Benched endpoints by key: until when (ms). */
  private readonly benched = new Map<string, number>();

  constructor(private readonly benchMs = BENCH_MS) {}

  get endpoints(): readonly Address[] {
    return this.list;
  }

  /** A new reading of the endpoints; the turn goes on, a benched one stays benched while it is listed. */
  set(list: readonly Address[]): void {
    this.list = list;
    for (const k of this.benched.keys()) if (!list.some((a) => key(a) === k)) this.benched.delete(k);
  }

  /** The next endpoint in turn that is not benched; when all are, the next in turn. */
  take(now: number): Address | undefined {
    const n = this.list.length;
    if (!n) return undefined;
    if (this.benched.size)
      for (let i = 0; i < n; i++) {
        const a = this.list[(this.turn + i) % n]!;
        if (!this.isBenched(a, now)) {
          this.turn += i + 1;
          return a;
        }
      }
    return this.list[this.turn++ % n];
  }

  /** Leaves `a` out of the turn for benchMs from `now`. */
  bench(a: Address, now: number): void {
    this.benched.set(key(a), now + this.benchMs);
  }

  /** An endpoint not in `tried`, from the turn on: one not benched first, else a benched one; undefined when all were tried. */
  other(tried: readonly Address[], now: number): Address | undefined {
    const n = this.list.length;
    let fallback: Address | undefined;
    for (let i = 0; i < n; i++) {
      const a = this.list[(this.turn + i) % n]!;
      if (tried.some((t) => key(t) === key(a))) continue;
      if (!this.isBenched(a, now)) return a;
      fallback ??= a;
    }
    return fallback;
  }

  isBenched(a: Address, now: number): boolean {
    const until = this.benched.get(key(a));
    if (until === undefined) return false;
    if (until > now) return true;
    this.benched.delete(key(a));
    return false;
  }
}
