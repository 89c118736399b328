/**
 * Where one container's log stream got to, so a re-attach (container
 * restart, engine restart) neither repeats nor loses a line. The engine's
 * `since` is inclusive, so a re-attach asks for `since` = the latest
 * timestamp delivered, and drops the lines it delivered at exactly that
 * timestamp when they come again.
 *
 * Like ResumeCursor (core/reconnect.ts), but keyed by the fixed-form
 * timestamp text (no number parsing per line), counting repeats as a
 * multiset (two identical lines at the same instant are both kept), and
 * dropping nothing outside a replay: a container's stdout and stderr lines
 * may come slightly out of time order, and none of them is a repeat.
 * Bound: it holds only the lines at the latest timestamp delivered.
 */
import type { LogLine } from './line.js';
import { tsToNanos } from './timestamp.js';

export class LogCursor {
  private maxTs: string | undefined;
  private atMax: LogLine[] = [];
  /** During a replay: the timestamp it starts at and the lines at it still to skip. */
  private replayTs: string | undefined;
  private replay: string[] = [];

  get since(): bigint | undefined {
    return this.maxTs === undefined ? undefined : tsToNanos(this.maxTs);
  }

  /** A new attach (from `since`) begins: the boundary lines will come again. */
  reattach(): void {
    this.replayTs = this.maxTs;
    this.replay = this.atMax.map(key);
  }

  /** Keeps the lines not delivered before; records the ones it keeps. */
  filter(batch: LogLine[]): LogLine[] {
    if (this.replayTs === undefined) {
      for (let i = 0; i < batch.length; i++) this.record(batch[i]!);
      return batch;
    }
    const out: LogLine[] = [];
    for (const l of batch) if (this.accept(l)) out.push(l);
    return out;
  }

  private accept(l: LogLine): boolean {
    if (this.replayTs !== undefined) {
      if (l.ts < this.replayTs) return false;
      if (l.ts === this.replayTs) {
        const i = this.replay.indexOf(key(l));
        if (i !== -1) {
          this.replay.splice(i, 1);
          return false;
        }
      } else {
        this.replayTs = undefined;
        this.replay = [];
      }
    }
    this.record(l);
    return true;
  }

  private record(l: LogLine): void {
    if (this.maxTs === undefined || l.ts > this.maxTs) {
      this.maxTs = l.ts;
      this.atMax.length = 0;
      this.atMax.push(l);
    } else if (l.ts === this.maxTs) this.atMax.push(l);
  }
}

function key(l: LogLine): string {
  return l.stream === 'stderr' ? '2' + l.msg : '1' + l.msg;
}
