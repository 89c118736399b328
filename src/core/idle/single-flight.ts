/**
 * Single flight with shared progress: concurrent calls for the same key share
 * one run. Each caller gets every progress event of the run, including those
 * emitted before it joined (replayed, at most `maxReplay` kept). A caller that
 * aborts leaves the run; the run itself is aborted only when every caller has
 * left (so one impatient caller cannot cancel the others' wake).
 */
export type Run<E> = (emit: (e: E) => void, signal: AbortSignal) => Promise<void>;

interface Flight<E> {
  promise: Promise<void>;
  controller: AbortController;
  listeners: Set<(e: E) => void>;
  history: E[];
  callers: number;
}

export class SingleFlight<E> {
  private readonly flights = new Map<string, Flight<E>>();

  constructor(private readonly maxReplay = 100) {}

  get active(): number {
    return this.flights.size;
  }

  has(key: string): boolean {
    return this.flights.has(key);
  }

  join(key: string, run: Run<E>, opts: { signal?: AbortSignal; onEvent?: (e: E) => void } = {}): Promise<void> {
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    const f = this.flights.get(key) ?? this.launch(key, run);
    f.callers++;
    const listener = opts.onEvent;
    if (listener) {
      for (const e of f.history) listener(e);
      f.listeners.add(listener);
    }
    return this.await(f, listener, opts.signal);
  }

  private launch(key: string, run: Run<E>): Flight<E> {
    const f: Flight<E> = { controller: new AbortController(), listeners: new Set(), history: [], callers: 0, promise: Promise.resolve() };
    const emit = (e: E) => {
      if (f.history.length < this.maxReplay) f.history.push(e);
      for (const l of f.listeners) l(e);
    };
    f.promise = run(emit, f.controller.signal).finally(() => this.flights.delete(key));
    f.promise.catch(() => {}); // a run nobody waits for any more must not be an unhandled rejection
    this.flights.set(key, f);
    return f;
  }

  private await(f: Flight<E>, listener: ((e: E) => void) | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let left = false;
      const leave = () => {
        if (left) return;
        left = true;
        if (listener) f.listeners.delete(listener);
        signal?.removeEventListener('abort', onAbort);
        f.callers--;
      };
      // The last caller to abort cancels the run and sees its final events (what was left running) before rejecting.
      const onAbort = () => {
        if (f.callers > 1) return (leave(), reject(signal!.reason));
        f.controller.abort(signal!.reason);
        f.promise.then(
          () => (leave(), reject(signal!.reason)),
          () => (leave(), reject(signal!.reason)),
        );
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      f.promise.then(
        () => (leave(), resolve()),
        (err) => (leave(), reject(err)),
      );
    });
  }
}
