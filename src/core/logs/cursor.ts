/**
 * Where one container's log stream got to, so a re-attach (container
 * restart, engine restart) neither repeats nor loses a line. The engine's
 * `since` is inclusive, so a re-attach asks for `since = last timestamp seen`
 * and drops the lines it already delivered at exactly that timestamp.
 *
 * Like ResumeCursor (core/reconnect.ts), but keyed by the fixed-form
 * timestamp text (no number parsing per line) and counting repeats as a
 * multiset: two identical lines at the same instant are both kept.
 * Bound: it holds only the lines of the last timestamp seen.
 */
import type { LogLine } from './line.js';
import { tsToNanos } from './timestamp.js';

export class LogCursor {
  private lastTs: string | undefined;
  private atLast: string[] = [];
  /** Lines at `lastTs` still to be skipped on the current attach. */
  private replay: string[] = [];

  get since(): bigint | undefined {
    return this.lastTs === undefined ? undefined : tsToNanos(this.lastTs);
  }

  /** A new attach (from `since`) begins: the boundary lines will come again. */
  reattach(): void {
    this.replay = this.atLast.slice();
  }

  /** Keeps the lines not delivered before; records the ones it keeps. */
  filter(batch: LogLine[]): LogLine[] {
    if (batch.length === 0) return batch;
    if (this.replay.length === 0 && (this.lastTs === undefined || batch[0]!.ts > this.lastTs)) {
      for (const l of batch) this.record(l);
      return batch;
    }
    const out: LogLine[] = [];
    for (const l of batch) if (this.accept(l)) out.push(l);
    return out;
  }

  private accept(l: LogLine): boolean {
    if (this.lastTs !== undefined && l.ts < this.lastTs) return false;
    if (l.ts === this.lastTs && this.replay.length) {
      const i = this.replay.indexOf(key(l));
      if (i !== -1) {
        this.replay.splice(i, 1);
        return false;
      }
    }
    if (l.ts !== this.lastTs) this.replay = [];
    this.record(l);
    return true;
  }

  private record(l: LogLine): void {
    if (l.ts !== this.lastTs) {
      this.lastTs = l.ts;
      this.atLast = [];
    }
    this.atLast.push(key(l));
  }
}

function key(l: LogLine): string {
  return l.stream === 'stderr' ? '2' + l.msg : '1' + l.msg;
}
