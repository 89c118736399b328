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
import { BatchQueue } from './queue.js';
import { mergeByTime } from './merge.js';
import { ReorderWindow } from './reorder.js';
import type { LogQuery } from './source.js';

export interface FollowOptions {
  query: LogQuery;
  windowMs: number;
  onStatus: (message: string) => void;
  /** Called for each container as it joins (initial ones first). */
  onTarget?: (t: Target) => void;
  /** End when the streams end instead of waiting for restarts (--until). */
  once?: boolean;
}

export async function* followLogs(engines: Engine[], sel: Selection, opts: FollowOptions, signal: AbortSignal): AsyncGenerator<LogLine[]> {
  const { controller, dispose } = linkedController(signal);
  const inner = controller.signal;
  setMaxListeners(0, inner); // a request and a wait per container
  const queue = new BatchQueue<LogLine[]>();
  const window = new ReorderWindow(opts.windowMs, (lines) => void queue.push(lines));
  const ticker = setInterval(() => window.tick(), Math.max(10, Math.min(100, opts.windowMs / 4)));
  const followers = new Map<string, Follower>();
  let active = 0;
  const env: FollowerEnv = {
    query: opts.query,
    deliver: (lines) => (window.push(lines), queue.ready()),
    onStatus: opts.onStatus,
    signal: inner,
    once: opts.once,
  };
  const register = (t: Target, joined: boolean): Follower | undefined => {
    const key = `${t.engine.name}\u0000${t.id}`;
    const known = followers.get(key);
    if (known) return void known.wake();
    const f = new Follower(t, env, joined);
    followers.set(key, f);
    opts.onTarget?.(t);
    active++;
    return f;
  };
  const launch = (f: Follower) => {
    f.run()
      .catch((err) => opts.onStatus(`logs of ${f.target.name}: ${(err as Error).message}`))
      .finally(() => {
        followers.delete(`${f.target.engine.name}\u0000${f.target.id}`);
        if (--active === 0 && opts.once) finish();
      });
  };
  const finish = () => {
    window.flush();
    queue.close();
  };
  inner.addEventListener('abort', finish, { once: true });
  try {
    const start = (t: Target) => {
      const f = register(t, true);
      if (f) launch(f);
    };
    if (!opts.once) for (const e of engines) void watch(e, sel, inner, followers, start, opts.onStatus, engines.length > 1);
    const initial = (await listTargets(engines, sel, inner)).map((t) => register(t, false)).filter((f) => f !== undefined);
    // What is already written comes first, merged exactly in time order; then everyone follows.
    const now = BigInt(Date.now()) * 1_000_000n;
    yield* mergeByTime(initial.map((f) => f.history(now)));
    initial.forEach(launch);
    if (opts.once && active === 0) finish();
    yield* queue;
  } finally {
    clearInterval(ticker);
    controller.abort('done');
    dispose();
  }
}

async function watch(
  engine: Engine,
  sel: Selection,
  signal: AbortSignal,
  followers: Map<string, Follower>,
  start: (t: Target) => void,
  onStatus: (m: string) => void,
  several: boolean,
): Promise<void> {
  try {
    for await (const ch of watchTargets(engine, sel, signal, (s) => onStatus(engineStatus(s, several ? engine.name : undefined)))) {
      if (ch.kind === 'start') start(ch.target);
      else if (ch.kind === 'destroy') {
        const f = followers.get(`${engine.name}\u0000${ch.id}`);
        if (f) {
          f.removed = true;
          f.wake();
        }
      }
    }
  } catch (err) {
    if (!signal.aborted) onStatus(`stopped watching for containers${several ? ` on ${engine.name}` : ''}: ${(err as Error).message}`);
  }
}

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
