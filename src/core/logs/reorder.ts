/**
 * The reorder window for --follow: lines from several containers arrive in
 * whatever order the network gives; each is held for `windowMs` after it
 * arrived, and when it is released every held line with an earlier or equal
 * timestamp goes out with it, in timestamp order. So a line that is at most
 * `windowMs` late still comes out before later lines of other containers.
 * A line later than that comes out as soon as it is seen (order cannot be
 * repaired without holding everything).
 *
 * Bound: at most `maxHeld` lines are held; past it the earliest lines are
 * released at once, so memory stays flat whatever the arrival rate.
 * Ties: by container name (line.ts `lineOrder`), one container's lines in
 * arrival order (insertion is stable).
 */
import { lineOrder, type LogLine } from './line.js';

export const DEFAULT_REORDER_MS = 250;
export const DEFAULT_MAX_HELD = 50_000;

export class ReorderWindow {
  private held: LogLine[] = []; // sorted by ts, stable
  private arrivals: Array<{ at: number; ts: string }> = []; // FIFO
  private arrivalsHead = 0;

  constructor(
    private readonly windowMs: number,
    private readonly emit: (lines: LogLine[]) => void,
    private readonly maxHeld = DEFAULT_MAX_HELD,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.held.length;
  }

  push(lines: LogLine[]): void {
    if (lines.length === 0) return;
    const at = this.now();
    for (const l of lines) this.insert(l);
    // One arrival entry per batch: its latest timestamp releases the whole batch.
    let maxTs = lines[0]!.ts;
    for (const l of lines) if (l.ts > maxTs) maxTs = l.ts;
    this.arrivals.push({ at, ts: maxTs });
    if (this.windowMs <= 0) return this.release(maxTs);
    if (this.held.length > this.maxHeld) this.emitCount(this.held.length - this.maxHeld);
  }

  /** Releases what is due; call it every few milliseconds. */
  tick(): void {
    const due = this.now() - this.windowMs;
    let threshold: string | undefined;
    while (this.arrivalsHead < this.arrivals.length && this.arrivals[this.arrivalsHead]!.at <= due) {
      const ts = this.arrivals[this.arrivalsHead++]!.ts;
      if (threshold === undefined || ts > threshold) threshold = ts;
    }
    if (this.arrivalsHead > 1024) {
      this.arrivals = this.arrivals.slice(this.arrivalsHead);
      this.arrivalsHead = 0;
    }
    if (threshold !== undefined) this.release(threshold);
  }

  /** Releases everything held (the stream ends). */
  flush(): void {
    this.arrivals = [];
    this.arrivalsHead = 0;
    if (this.held.length) this.emitCount(this.held.length);
  }

  private insert(l: LogLine): void {
    const h = this.held;
    if (h.length === 0 || lineOrder(h[h.length - 1]!, l) <= 0) {
      h.push(l);
      return;
    }
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (lineOrder(h[mid]!, l) <= 0) lo = mid + 1;
      else hi = mid;
    }
    h.splice(lo, 0, l);
  }

  private release(threshold: string): void {
    let n = 0;
    while (n < this.held.length && this.held[n]!.ts <= threshold) n++;
    if (n) this.emitCount(n);
  }

  private emitCount(n: number): void {
    const out = this.held.slice(0, n);
    this.held = this.held.slice(n);
    this.emit(out);
  }
}
