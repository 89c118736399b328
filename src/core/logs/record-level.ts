/**
 * Levels for multi-line records. A line that continues the record before it in the same container and
 * stream (continuation.ts: stack frames, `Caused by: ...`, `... 5 common frames omitted`, a traceback's
 * `  File "x.py", line 3` and `ValueError: ...` lines) takes that record's level instead of its own,
 * so `--level error` keeps a whole stack trace and the counts count a trace once per level. A Python
 * `Traceback (most recent call last):` makes its record an ERROR unless it continues a WARN record
 * (`logger.warning(..., exc_info=True)`): an uncaught traceback follows whatever line came before it,
 * often an INFO line of another record, and is an error all the same. A session's detail line
 * (`... [123] STATEMENT:  select ...` after `... [123] ERROR:  ...`: continuation.ts) takes the level
 * of the line before it, so an ERROR keeps its statement under `--level error`. Bound: one small entry per (container, stream) seen; `forget` drops a container's.
 */
import { isContinuation } from './continuation.js';
import { detectLevel, type Level } from './severity.js';

const TRACEBACK = /^Traceback \(most recent call last\):/;

interface Last {
  /** The level of the record the line belonged to. */
  level: Level;
  /** The line (a session's detail line is judged against it). */
  msg: string;
}

export class RecordLevels {
  /** (container id + stream) -> its last line that was not empty. */
  private readonly last = new Map<string, Last>();

  level(key: string, msg: string): Level {
    const prev = this.last.get(key);
    let level: Level;
    if (prev !== undefined && isContinuation(msg, prev.msg)) level = TRACEBACK.test(msg) && prev.level !== 'WARN' ? 'ERROR' : prev.level;
    else level = TRACEBACK.test(msg) ? 'ERROR' : detectLevel(msg);
    if (msg.length > 0) {
      if (prev === undefined) this.last.set(key, { level, msg });
      else {
        prev.level = level;
        prev.msg = msg;
      }
    }
    return level;
  }

  forget(id: string): void {
    for (const key of this.last.keys()) if (key.startsWith(`${id}/`)) this.last.delete(key);
  }
}
