/**
 * `--follow` over a selection: the selection supervisor (select/supervisor.ts)
 * says which containers there are and when they start, stop and go; one
 * ContainerFollower per container reads its lines. First the lines already
 * written by the containers there at the start, merged exactly in timestamp
 * order (as without --follow); then every new line passes through the
 * reorder window, so the merged view is in timestamp order within
 * `windowMs`. Ends when the supervisor ends (--until passed, or every named
 * container was removed) and every follower has finished, or on abort.
 * Bounds: the window holds at most DEFAULT_MAX_HELD lines; the queue to the
 * consumer at most 64 batches (then followers wait: backpressure).
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import type { Selection, Target } from '../engine/select.js';
import { Supervisor, type Lifetime } from '../select/supervisor.js';
import { linkedController } from '../stream/abort.js';
import { BoundedQueue } from '../stream/queue.js';
import { ContainerFollower, type ContainerFollowEnv, type FollowStart } from './container-follow.js';
import type { LogLine } from './line.js';
import { mergeByTime } from './merge.js';
import { ReorderWindow } from './reorder.js';
import type { LogQuery } from './source.js';
import { sortedLines, type UnorderedSource } from './unordered.js';
import { nanosToRfc3339 } from '../parse.js';

function withoutTail(q: LogQuery): LogQuery {
  const { tail: _tail, ...rest } = q;
  return rest;
}

export interface FollowOptions {
  query: LogQuery;
  windowMs: number;
  onStatus: (message: string) => void;
  /** Called for each container as it joins (initial ones first). */
  onTarget?: (t: Target) => void;
  /** A container's logs could not be read (after onStatus said why). */
  onFailed?: () => void;
  /** Lines not in time order from outside the selection (pipeline.ts): history sorted into the first merge, then through the window. */
  unordered?: UnorderedSource;
  /** Lines kept from containers that are gone (logs --archive), in time order: part of the first merge. */
  archived?: () => AsyncGenerator<LogLine[]>;
}

export async function* followLogs(engines: Engine[], sel: Selection, opts: FollowOptions, signal: AbortSignal): AsyncGenerator<LogLine[]> {
  const session = new LogSession(opts, signal);
  const supervisor = new Supervisor(engines, sel, {
    warn: opts.onStatus,
    ...(opts.query.until !== undefined ? { until: opts.query.until } : {}),
    endWhenNamedGone: true,
    removalNote: 'its logs end here',
    resumeNote: "resuming each container's logs from the last line printed",
  });
  const lifetimes = supervisor.lifetimes(session.signal);
  try {
    const initial: ContainerFollower[] = [];
    for (;;) {
      const r = await lifetimes.next();
      if (r.done || r.value.kind === 'synced') break;
      if (r.value.kind === 'added') initial.push(session.register(r.value.target, 'history'));
    }
    // What is already written comes first, merged exactly in time order; then everyone follows.
    const now = BigInt(Date.now()) * 1_000_000n;
    session.env.cut = now; // containers seen later: their lines before it are history (--tail applies), after it new
    const history = initial.map((f) => f.history(now));
    const { unordered } = opts;
    // The unordered source's lines before `now` are sorted into the first merge; from `now` on they pass the window.
    const cut = nanosToRfc3339(now);
    if (unordered) history.push(sortedLines(unordered(opts.query, false, session.signal), cut));
    if (opts.archived) history.push(opts.archived());
    yield* mergeByTime(history);
    for (const f of initial) session.launch(f);
    if (unordered) session.launchUnordered(unordered({ ...withoutTail(opts.query), since: now }, true, session.signal), cut);
    void session.feed(lifetimes);
    yield* session.queue;
  } finally {
    session.close();
    await lifetimes.return(undefined);
  }
}

/** The followers of one `--follow` run, the window their lines pass and the queue to the consumer. */
class LogSession {
  readonly queue = new BoundedQueue<LogLine[]>();
  readonly signal: AbortSignal;
  private active = 0;
  private supervised = true;
  private readonly followers = new Map<string, ContainerFollower>();
  /** Followers of containers created but not started yet. */
  private readonly unstarted = new Set<string>();
  private readonly window: ReorderWindow;
  private readonly ticker: NodeJS.Timeout;
  readonly env: ContainerFollowEnv;
  private readonly dispose: () => void;
  private readonly abort: () => void;

  constructor(
    private readonly opts: FollowOptions,
    parent: AbortSignal,
  ) {
    const { controller, dispose } = linkedController(parent);
    this.signal = controller.signal;
    setMaxListeners(0, this.signal); // a request and a wait per container
    this.dispose = dispose;
    this.abort = () => controller.abort('done');
    this.window = new ReorderWindow(opts.windowMs, (lines) => void this.queue.push(lines));
    this.ticker = setInterval(() => this.window.tick(), Math.max(10, Math.min(100, opts.windowMs / 4)));
    this.env = { query: opts.query, onStatus: opts.onStatus, ...(opts.onFailed ? { onFailed: opts.onFailed } : {}), signal: this.signal };
    this.signal.addEventListener('abort', () => this.finish(), { once: true });
  }

  register(t: Target, start: FollowStart): ContainerFollower {
    const f = new ContainerFollower(t, this.env, start);
    this.followers.set(keyOf(t), f);
    this.opts.onTarget?.(t);
    return f;
  }

  launch(f: ContainerFollower): void {
    this.active++;
    void this.pump(f)
      .catch((err) => {
        if (this.signal.aborted) return;
        this.opts.onStatus(`logs of ${f.target.name}: ${(err as Error).message}`);
        this.opts.onFailed?.();
      })
      .finally(() => {
        if (this.followers.get(keyOf(f.target)) === f) this.followers.delete(keyOf(f.target));
        this.active--;
        this.maybeFinish();
      });
  }

  /** The unordered source's live lines (from `cut` on) into the window, counted as one follower. */
  launchUnordered(src: AsyncIterable<LogLine[]>, cut: string): void {
    this.active++;
    void (async () => {
      for await (const lines of src) {
        const fresh = lines.filter((l) => l.ts >= cut);
        if (fresh.length) this.window.push(fresh);
        const wait = this.queue.ready();
        if (wait) await wait;
      }
    })()
      .catch((err) => {
        if (!this.signal.aborted) this.opts.onStatus(`logs from the swarm manager: ${(err as Error).message}`);
      })
      .finally(() => {
        this.active--;
        this.maybeFinish();
      });
  }

  private async pump(f: ContainerFollower): Promise<void> {
    for await (const lines of f.lines()) {
      this.window.push(lines);
      const wait = this.queue.ready();
      if (wait) await wait;
    }
  }

  /** The lifetimes after the initial ones: joins, restarts, removals. */
  async feed(lifetimes: AsyncIterable<Lifetime>): Promise<void> {
    try {
      for await (const l of lifetimes) this.apply(l);
    } catch (err) {
      if (!this.signal.aborted) this.opts.onStatus(`stopped following containers: ${(err as Error).message}`);
    } finally {
      this.supervised = false;
      this.maybeFinish();
    }
  }

  /**
   * A container created while following is read from its start (no request before it has output to give);
   * one first seen running, or found by a resync, may have lines from before the cut (an earlier life):
   * those are history, bounded as the initial containers' are.
   */
  private apply(l: Lifetime): void {
    if (l.kind === 'synced') return;
    const key = keyOf(l.target);
    if (l.kind === 'added') {
      if (this.followers.has(key)) return;
      const f = this.register(l.target, l.history || l.target.running ? 'late' : 'new');
      if (l.target.running || l.history) this.launch(f);
      else this.unstarted.add(key);
    } else if (l.kind === 'started') {
      const f = this.followers.get(key);
      if (f && this.unstarted.delete(key)) this.launch(f);
      else f?.started();
    } else if (l.kind === 'removed') {
      this.followers.get(key)?.removed();
      if (this.unstarted.delete(key)) this.followers.delete(key);
    }
  }

  private maybeFinish(): void {
    if (!this.supervised && this.active === 0) this.finish();
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
}

const keyOf = (t: Target) => `${t.engine.name}\u0000${t.id}`;
