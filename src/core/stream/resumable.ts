/**
 * The one resumable stream: `open(since)` plus a cursor (ResumeWindow) that
 * de-duplicates by identity over a bounded window. Used for the engine's
 * events (key: type + action + actor id + timeNano) and for a container's
 * log lines (key: timestamp + stream + message; identical lines at one
 * instant are counted, so two of them are two lines).
 *
 * The engine's live streams are not in time order under concurrency (its
 * event stream can deliver an event older than one it sent before), so the
 * cursor never drops a record for being older than the newest seen. A live
 * record is always kept; only a replay is filtered:
 *
 * - `since` (where a reopen starts) is `newest - windowNs`, so records that
 *   arrive up to `windowNs` late are asked for again rather than lost;
 * - on a reopen, the records held with a time at or after that `since` form a
 *   multiset of keys, and each replayed record whose key is in it is dropped
 *   once (a repeat). The replay ends when the multiset is empty or a record
 *   newer than `newest + windowNs` arrives.
 *
 * Bounds: the cursor holds the records of the last `windowNs` (by time,
 * oldest first in arrival order), at most `maxHeld` of them. Past `maxHeld`
 * the oldest held record is let go and `since` never goes back to or before
 * its time, so a replay still repeats nothing; a record that arrives more
 * than `windowNs` late *and* after a reopen is the only one that can be lost.
 */
export interface WindowBounds {
  /** How late (ns) a record may arrive and still be asked for again on a reopen. */
  windowNs: bigint;
  /** The most records held for de-duplication. */
  maxHeld: number;
}

export class ResumeWindow<T> {
  private held: T[] = [];
  private head = 0;
  private newest: bigint | undefined;
  private floor: bigint | undefined;
  private replay: Map<string, number> | undefined;
  private replayEnd = 0n;

  constructor(
    private readonly key: (r: T) => string,
    private readonly ns: (r: T) => bigint,
    readonly bounds: WindowBounds,
  ) {}

  /** Where a reopen should start (inclusive), or undefined when nothing was delivered yet. */
  get since(): bigint | undefined {
    if (this.newest === undefined) return undefined;
    let s = this.newest - this.bounds.windowNs;
    if (this.floor !== undefined && this.floor + 1n > s) s = this.floor + 1n;
    return s < 0n ? 0n : s;
  }

  /** How many records are held now (for tests and bounds). */
  get size(): number {
    return this.held.length - this.head;
  }

  /** A stream was reopened from `since`: the records held at or after it may come again. */
  reopened(since: bigint | undefined): void {
    if (since === undefined || this.newest === undefined) return void (this.replay = undefined);
    const m = new Map<string, number>();
    for (let i = this.head; i < this.held.length; i++) {
      const r = this.held[i]!;
      if (this.ns(r) < since) continue;
      const k = this.key(r);
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    this.replay = m.size ? m : undefined;
    this.replayEnd = this.newest + this.bounds.windowNs;
  }

  /** The records of a batch that were not delivered before (the batch itself outside a replay). */
  filter(batch: T[]): T[] {
    if (this.replay === undefined) {
      for (let i = 0; i < batch.length; i++) this.hold(batch[i]!);
      return batch;
    }
    const out: T[] = [];
    for (const r of batch) {
      if (this.replay !== undefined && this.repeat(r)) continue;
      this.hold(r);
      out.push(r);
    }
    return out;
  }

  private repeat(r: T): boolean {
    const m = this.replay!;
    if (this.ns(r) > this.replayEnd) {
      this.replay = undefined;
      return false;
    }
    const k = this.key(r);
    const n = m.get(k);
    if (n === undefined) return false;
    if (n > 1) m.set(k, n - 1);
    else m.delete(k);
    if (m.size === 0) this.replay = undefined;
    return true;
  }

  private hold(r: T): void {
    const n = this.ns(r);
    if (this.newest === undefined || n > this.newest) this.newest = n;
    this.held.push(r);
    const cutoff = this.newest - this.bounds.windowNs;
    while (this.head < this.held.length && this.ns(this.held[this.head]!) < cutoff) this.head++;
    while (this.held.length - this.head > this.bounds.maxHeld) {
      const t = this.ns(this.held[this.head++]!);
      if (this.floor === undefined || t > this.floor) this.floor = t;
    }
    if (this.head > 1024 && this.head * 2 > this.held.length) {
      this.held = this.held.slice(this.head);
      this.head = 0;
    }
  }
}

export interface ResumableSource<T> {
  /**
   * Opens the stream. `first` is true for the first open; on a reopen `since`
   * is the cursor's resume point (undefined when nothing was delivered yet:
   * the source then picks its own, e.g. when it first subscribed).
   */
  open(since: bigint | undefined, first: boolean, signal: AbortSignal): AsyncIterable<T[]>;
  /**
   * The stream ended (`error` undefined) or failed: resolves true to reopen
   * from the cursor, false to end. It may wait first (backoff, a restart);
   * it throws to fail the whole stream.
   */
  reopen(error: unknown, signal: AbortSignal): Promise<boolean>;
}

/**
 * Batches of records, each delivered once, across as many reopens as
 * `reopen` allows. `cursor` may be shared with a reader of the same records
 * before (the history read ahead of a follow).
 */
export async function* resumable<T>(src: ResumableSource<T>, cursor: ResumeWindow<T>, signal: AbortSignal, reopening = false): AsyncGenerator<T[]> {
  for (let first = !reopening; !signal.aborted; first = false) {
    const since = first ? undefined : cursor.since;
    if (!first) cursor.reopened(since);
    let failure: unknown;
    try {
      for await (const batch of src.open(since, first, signal)) {
        const fresh = cursor.filter(batch);
        if (fresh.length) yield fresh;
      }
    } catch (err) {
      if (signal.aborted) return;
      failure = err ?? new Error('the stream failed');
    }
    if (signal.aborted || !(await src.reopen(failure, signal))) return;
  }
}
