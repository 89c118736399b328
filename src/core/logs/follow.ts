/**
 * `--follow` over a selection: first the lines already written, merged
 * exactly in timestamp order (as without --follow); then one Follower per
 * container goes on from there, containers that start later and match the
 * selection join (engine events via watchTargets), and every new line passes
 * through the reorder window so the merged view is in timestamp order
 * within `windowMs`. Yields batches until the signal aborts
 * (or, with `once`, until every container's stream ended).
 * Bounds: the window holds at most DEFAULT_MAX_HELD lines; the queue to the
 * consumer at most 64 batches (then followers wait: backpressure).
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import { listTargets, watchTargets, type Selection, type Target } from '../engine/select.js';
import type { WatcherStatus } from '../events/watcher.js';
import { linkedController } from '../stream/abort.js';
import { Follower, type FollowerEnv } from './follower.js';
import type { LogLine } from './line.js';
import { BoundedQueue } from '../stream/queue.js';
import { mergeByTime } from './merge.js';
import { ReorderWindow } from './reorder.js';
import type { LogQuery } from './source.js';

export interface FollowOptions {
  query: LogQuery;
  windowMs: number;
  onStatus: (message: string) => void;
  /** Called for each container as it joins (initial ones first). */
  onTarget?: (t: Target) => void;
  /** A container's logs could not be read (after onStatus said why). */
  onFailed?: () => void;
  /** End when the streams end instead of waiting for restarts (--until). */
  once?: boolean;
}

export async function* followLogs(engines: Engine[], sel: Selection, opts: FollowOptions, signal: AbortSignal): AsyncGenerator<LogLine[]> {
  const session = new FollowSession(opts, signal);
  try {
    if (!opts.once) for (const e of engines) void session.watch(e, sel, engines.length > 1);
    const initial = (await listTargets(engines, sel, session.signal)).map((t) => session.register(t, false)).filter((f) => f !== undefined);
    // What is already written comes first, merged exactly in time order; then everyone follows.
    const now = BigInt(Date.now()) * 1_000_000n;
    yield* mergeByTime(initial.map((f) => f.history(now)));
    for (const f of initial) session.launch(f);
    if (opts.once && session.active === 0) session.finish();
    yield* session.queue;
  } finally {
    session.close();
  }
}

/** The followers of one `--follow` run, the window their lines pass and the queue to the consumer. */
class FollowSession {
  readonly queue = new BoundedQueue<LogLine[]>();
  readonly signal: AbortSignal;
  active = 0;
  private readonly followers = new Map<string, Follower>();
  private readonly window: ReorderWindow;
  private readonly ticker: NodeJS.Timeout;
  private readonly env: FollowerEnv;
  private readonly dispose: () => void;
  private readonly abort: () => void;

  constructor(private readonly opts: FollowOptions, parent: AbortSignal) {
    const { controller, dispose } = linkedController(parent);
    this.signal = controller.signal;
    setMaxListeners(0, this.signal); // a request and a wait per container
    this.dispose = dispose;
    this.abort = () => controller.abort('done');
    this.window = new ReorderWindow(opts.windowMs, (lines) => void this.queue.push(lines));
    this.ticker = setInterval(() => this.window.tick(), Math.max(10, Math.min(100, opts.windowMs / 4)));
    this.env = { query: opts.query, deliver: (lines) => (this.window.push(lines), this.queue.ready()), onStatus: opts.onStatus, onFailed: opts.onFailed, signal: this.signal, once: opts.once };
    this.signal.addEventListener('abort', () => this.finish(), { once: true });
  }

  /** A new follower for `t`, or undefined (and a wake-up) when it is followed already. */
  register(t: Target, joined: boolean): Follower | undefined {
    const known = this.followers.get(keyOf(t.engine, t.id));
    if (known) return void known.wake();
    const f = new Follower(t, this.env, joined);
    this.followers.set(keyOf(t.engine, t.id), f);
    this.opts.onTarget?.(t);
    this.active++;
    return f;
  }

  launch(f: Follower): void {
    f.run()
      .catch((err) => {
        this.opts.onStatus(`logs of ${f.target.name}: ${(err as Error).message}`);
        this.opts.onFailed?.();
      })
      .finally(() => {
        this.followers.delete(keyOf(f.target.engine, f.target.id));
        if (--this.active === 0 && this.opts.once) this.finish();
      });
  }

  /** Ends the output: what the window holds goes out, then the queue ends. */
  finish(): void {
    this.window.flush();
    this.queue.close();
  }

  close(): void {
    clearInterval(this.ticker);
    this.abort();
    this.dispose();
  }

  /** Containers that start and match join; a destroyed one's follower ends. */
  async watch(engine: Engine, sel: Selection, several: boolean): Promise<void> {
    const where = several ? engine.name : undefined;
    try {
      for await (const ch of watchTargets(engine, sel, this.signal, (s) => this.opts.onStatus(engineStatus(s, where)))) {
        if (ch.kind === 'start') {
          const f = this.register(ch.target, true);
          if (f) this.launch(f);
        } else if (ch.kind === 'destroy') this.followers.get(keyOf(engine, ch.id))?.markRemoved();
      }
    } catch (err) {
      if (!this.signal.aborted) this.opts.onStatus(`stopped watching for containers${where ? ` on ${where}` : ''}: ${(err as Error).message}`);
    }
  }
}

const keyOf = (engine: Engine, id: string) => `${engine.name}\u0000${id}`;

function engineStatus(s: WatcherStatus, engine?: string): string {
  const where = engine ? ` (${engine})` : '';
  switch (s.kind) {
    case 'disconnected':
      return `lost the engine${where}: ${s.error}; reconnecting`;
    case 'retrying':
      return `reconnecting to the engine${where} (attempt ${s.attempt}, waited ${s.delayMs} ms)`;
    case 'reconnected':
      return `reconnected to the engine${where}; resuming each container's logs from the last line printed`;
  }
}
