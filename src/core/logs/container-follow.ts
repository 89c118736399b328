/**
 * One container's log lines for as long as it lives, over the one resumable
 * stream (stream/resumable.ts): attach with follow=true; when the stream ends
 * or breaks, reopen from the cursor (`since` = newest line less
 * LOG_WINDOW.windowNs, the lines already delivered dropped by identity:
 * timestamp, stream and text, identical lines at one instant counted). The
 * selection supervisor drives it: `started()` after a (re)start, `removed()`
 * when the container was destroyed. Used by `logs --follow` and topology.
 *
 * A read refused because the container is gone (404, 409 "dead or marked
 * for removal", or 500 naming its json log file as missing: a `run --rm`
 * container gives all three, depending on how far its removal got; or any
 * refusal when an inspect then finds it gone) is a removal: the follower ends
 * quietly and the supervisor says "removed". Any other engine error is
 * reported once (`onStatus`, `onFailed`). A broken connection is retried
 * with backoff. With `query.until`, it ends at that time (or reads what is
 * there without following when the time has passed). When a follow ends and
 * the container is stopped, one read without follow, from the cursor, brings
 * any line the engine's follow ended before (Podman's does), then the
 * follower waits for the next start.
 *
 * Bounds, for every container whenever it joins (as `docker logs -f` applies
 * them to one container): lines before the session's `cut` (when berth began
 * following) are history: `--since`, `--until` and `--tail` N (the last N of
 * them) apply. Lines from the cut on are new: all are printed, within
 * `--since`/`--until`. No open, first or reopen, ever asks for lines below
 * the floor: `--since`, raised past the lines `--tail` left out once history
 * was read, so a reopen's one-second look back (or a restart) brings no old
 * line.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { inspectTarget, type Target } from '../engine/select.js';
import { BerthError, isConnectionError } from '../errors.js';
import { DEFAULT_BACKOFF, ReconnectScheduler, type BackoffPolicy } from '../reconnect.js';
import { linkedController } from '../stream/abort.js';
import { resumable, ResumeWindow, type WindowBounds } from '../stream/resumable.js';
import type { LogLine } from './line.js';
import { containerLogBatches, type LogQuery } from './source.js';
import { tailBefore } from './tail-before.js';
import { tsToNanos } from './timestamp.js';

/**
 * Bounds of a container's log cursor: a reopen asks again for the last second of lines (lines of one
 * container arrive out of order by microseconds, stdout against stderr) and drops those it delivered;
 * at most 2,000 lines are held per container for that.
 */
export const LOG_WINDOW: WindowBounds = { windowNs: 1_000_000_000n, maxHeld: 2_000 };

/** After `until`, lines still in flight are read for this long before the stream is closed. */
export const UNTIL_GRACE_MS = 1000;

export const lineKey = (l: LogLine): string => (l.stream === 'stderr' ? '2' : '1') + l.ts + l.msg;
const lineNs = (l: LogLine): bigint => tsToNanos(l.ts);
const nowNs = () => BigInt(Date.now()) * 1_000_000n;

export interface ContainerFollowEnv {
  /** The user's query (tail, since, until, maxLineBytes); `follow` is set here. */
  query: LogQuery;
  /** When berth began following (ns): `--tail` bounds the lines before it (`late`); default: the first open. */
  cut?: bigint;
  signal: AbortSignal;
  /** A read failed for a reason other than a removal or a lost connection. */
  onStatus: (message: string) => void;
  onFailed?: () => void;
  backoff?: BackoffPolicy;
}

/**
 * How the first attach starts: `history` (the caller reads the lines already written with `history()`
 * first), `late` (a container that may have lines from before the cut, seen later: its history to the
 * cut within --since/--until/--tail, then every line from there), `new` (created after the cut: every
 * line within --since/--until).
 */
export type FollowStart = 'history' | 'late' | 'new';

type State = 'running' | 'stopped' | 'gone' | 'unreachable';

export class ContainerFollower {
  private readonly cursor = new ResumeWindow<LogLine>(lineKey, lineNs, LOG_WINDOW);
  private starts = 0;
  private gone = false;
  private wake: (() => void) | undefined;
  private openedAt = nowNs();
  private startsAtOpen = 0;
  private got = 0;
  /** No open asks for lines before this (ns): --since, raised past what --tail left out. */
  private floor: bigint | undefined;
  private readonly scheduler: ReconnectScheduler;
  /** The start (`starts`) whose stop was read once more without following; `catchUp`: the next open is that read. */
  private caughtUp = -1;
  private catchUp = false;

  constructor(
    readonly target: Target,
    private readonly env: ContainerFollowEnv,
    private readonly start: FollowStart,
  ) {
    this.scheduler = new ReconnectScheduler(env.backoff ?? DEFAULT_BACKOFF);
    this.floor = env.query.since;
  }

  /**
   * The lines already written up to `untilNs`, without following (never throws: `lines()` finds out
   * again). With --tail, the last N before `untilNs` (tail-before.ts), and the floor goes past the ones
   * left out: none of them (at or before the first line given) may come with a later open.
   */
  async *history(untilNs: bigint): AsyncGenerator<LogLine[]> {
    const q: LogQuery = { ...this.env.query, follow: false };
    const until = q.until === undefined || q.until > untilNs ? untilNs : q.until;
    this.openedAt = untilNs;
    const { tail } = q;
    try {
      if (tail === undefined) {
        for await (const batch of containerLogBatches(this.target, { ...q, until }, this.env.signal)) {
          const fresh = this.cursor.filter(batch);
          if (fresh.length) yield fresh;
        }
        return;
      }
      const lines = await tailBefore(this.target, { ...q, until, tail }, this.env.signal);
      if (lines.length >= tail) this.raiseFloor(lines.length ? lines.reduce((m, l) => (lineNs(l) < m ? lineNs(l) : m), lineNs(lines[0]!)) + 1n : until);
      const fresh = this.cursor.filter(lines);
      if (fresh.length) yield fresh;
    } catch {
      // gone, unreadable or unreachable: lines() meets it again and reports or retries
    }
  }

  private raiseFloor(ns: bigint): void {
    if (this.floor === undefined || ns > this.floor) this.floor = ns;
  }

  /** The container (re)started. */
  started(): void {
    this.starts++;
    this.wake?.();
  }

  /** The container was destroyed: the follower ends once its stream does. */
  removed(): void {
    this.gone = true;
    this.wake?.();
  }

  /** The lines from where `history()` stopped (or per `start`), each once, until removal, `until` or abort. */
  lines(): AsyncGenerator<LogLine[]> {
    return this.count(this.all());
  }

  /** A late container with --tail: its history to the cut first (as the initial ones), then the follow. */
  private async *all(): AsyncGenerator<LogLine[]> {
    const split = this.start === 'late' && this.env.query.tail !== undefined;
    if (split) yield* this.history(this.env.cut ?? nowNs());
    const src = { open: this.open.bind(this), reopen: this.reopen.bind(this) };
    yield* resumable(src, this.cursor, this.env.signal, this.start === 'history' || split);
  }

  private async *count(src: AsyncGenerator<LogLine[]>): AsyncGenerator<LogLine[]> {
    for await (const batch of src) {
      this.got += batch.length;
      yield batch;
    }
  }

  private async *open(since: bigint | undefined, first: boolean, signal: AbortSignal): AsyncGenerator<LogLine[]> {
    const q: LogQuery = { ...this.env.query, follow: !this.catchUp };
    this.catchUp = false;
    if (!first) {
      q.tail = undefined;
      q.since = since ?? this.openedAt; // from the last line delivered, or from when we last looked
    } else if (this.start === 'new') q.tail = undefined; // created after the cut: every line is new
    if (this.floor !== undefined && (q.since === undefined || q.since < this.floor)) q.since = this.floor;
    this.openedAt = nowNs();
    this.startsAtOpen = this.starts;
    this.got = 0;
    const until = this.env.query.until;
    if (until !== undefined && until <= this.openedAt) q.follow = false;
    const { controller, dispose } = linkedController(signal);
    const timer = until !== undefined && q.follow ? setTimeout(() => controller.abort('until'), Number((until - this.openedAt) / 1_000_000n) + UNTIL_GRACE_MS) : undefined;
    try {
      yield* containerLogBatches(this.target, q, controller.signal);
    } catch (err) {
      if (controller.signal.reason !== 'until' || signal.aborted) throw err;
    } finally {
      clearTimeout(timer);
      dispose();
    }
  }

  private async reopen(err: unknown, signal: AbortSignal): Promise<boolean> {
    const until = this.env.query.until;
    if (until !== undefined && nowNs() >= until) return false;
    if (err !== undefined) {
      if (isRemoval(err)) return false;
      if (err instanceof BerthError && !isUnreachable(err)) {
        if ((await this.state(signal).catch(() => 'unknown')) === 'gone') return false; // removed meanwhile
        this.env.onStatus(`logs of ${this.target.name}: ${err.message}`);
        this.env.onFailed?.();
        return false;
      }
      return this.backoff(signal); // the connection broke (engine restart, reset)
    }
    if (this.gone) return false;
    if (this.starts !== this.startsAtOpen) return true; // it restarted meanwhile
    const state = await this.state(signal);
    if (state === 'gone') return false;
    if (state === 'running') return this.got > 0 ? (this.scheduler.succeeded(), true) : this.backoff(signal);
    if (state === 'unreachable') return this.backoff(signal);
    // Stopped. An engine may end a follow before the last lines the container wrote (Podman ends it when
    // the container exits, before its log file is read to the end: docs/podman.md). One read without
    // follow, from the cursor, brings them; the cursor drops what was delivered.
    if (this.caughtUp !== this.starts) {
      this.caughtUp = this.starts;
      this.catchUp = true;
      return true;
    }
    await this.waitForStart(signal);
    return !this.gone && !signal.aborted;
  }

  private async state(signal: AbortSignal): Promise<State> {
    try {
      const t = await inspectTarget(this.target.engine, this.target.id, signal);
      return t.running ? 'running' : 'stopped';
    } catch (err) {
      if (isRemoval(err)) return 'gone';
      if (isUnreachable(err) || signal.aborted) return 'unreachable';
      throw err;
    }
  }

  /** Until started() or removed(), the signal, or `until`. */
  private async waitForStart(signal: AbortSignal): Promise<void> {
    if (this.starts !== this.startsAtOpen) return;
    const { controller, dispose } = linkedController(signal);
    const until = this.env.query.until;
    const ms = until === undefined ? undefined : Number((until - nowNs()) / 1_000_000n);
    try {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        controller.signal.addEventListener('abort', () => resolve(), { once: true });
        if (ms !== undefined) void sleep(Math.max(0, ms), undefined, { signal: controller.signal }).then(resolve, () => {});
      });
    } finally {
      this.wake = undefined;
      controller.abort();
      dispose();
    }
  }

  private async backoff(signal: AbortSignal): Promise<boolean> {
    try {
      await this.scheduler.wait(signal);
      return !this.gone || this.starts !== this.startsAtOpen;
    } catch {
      return false;
    }
  }
}

/**
 * The container is gone: 404; the engine's 409 "dead or marked for removal"; or its 500 when the
 * json-file driver's log file was removed with the container's directory under the read ("open
 * /var/lib/docker/containers/ID/ID-json.log: no such file or directory").
 */
export function isRemoval(err: unknown): boolean {
  if (!(err instanceof BerthError)) return false;
  if (err.code === 'NOT_FOUND') return true;
  if (err.code !== 'ENGINE_ERROR') return false;
  const status = (err.cause as { statusCode?: number } | undefined)?.statusCode;
  if (status === 409) return /dead or marked for removal/i.test(err.message);
  return status === 500 && /-json\.log: no such file or directory/i.test(err.message);
}

function isUnreachable(err: unknown): boolean {
  return (err instanceof BerthError && err.code === 'ENGINE_UNREACHABLE') || isConnectionError(err);
}
