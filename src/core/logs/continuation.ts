/**
 * Whether a log line continues the record before it instead of starting a
 * new one: the lines of a stack trace or traceback that loggers write after
 * the message they belong to. One rule, shared by `berth templates` (a
 * record's lines join its template) and `berth logs` (their severity is
 * the record's). Pure and cheap: a first-character check rules out most
 * lines before any expression runs.
 *
 * A line continues the one before (there must be one) when it is:
 * - indented (a tab, or a space, then text): Java `\tat a.B.c(B.java:10)`,
 *   Python `  File "x.py", line 3, in f` and its source line, Go's `\t/src/x.go:12`;
 * - `Caused by: ...`, `Suppressed: ...`, `... 12 more`, `... 12 common frames omitted`;
 * - Python's `Traceback (most recent call last):` and the `During handling
 *   of the above exception, ...` / `The above exception was the direct cause ...` lines;
 * - an exception line: a (dotted) class name ending in Error, Exception,
 *   Throwable, Exit, Interrupt or Warning, then `:` or the end
 *   (`ValueError: bad`, `java.lang.IllegalStateException: closed`); a bare
 *   `Error: x` is not one (Node prints its own records that way);
 * - a detail line of a session's message: `<prefix>DETAIL:  ...` (also
 *   HINT, STATEMENT, CONTEXT, QUERY, LOCATION: the word, a colon and two
 *   spaces, as Postgres writes them) after a line `<prefix>WORD:  ...` of
 *   the same session: the same prefix, or prefixes whose first bracketed
 *   number (the process id: `[1234]`, `[1234-5]`) is the same. With no
 *   previous line given (`''`), this one is not checked.
 * A blank line is never a continuation (it is skipped, not joined).
 */

import { upperWordStart } from './severity.js';

const CAUSE = /^(?:Caused by|Suppressed): |^\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const PYTHON = /^(?:Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause)/;
const EXCEPTION = /^(?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception|Throwable|Exit|Interrupt|Warning)(?::|$)/;

export function isContinuation(line: string, previous?: string): boolean {
  if (previous === undefined || line.length === 0) return false;
  const c = line.charCodeAt(0);
  if (c === 9 || c === 32) return hasText(line);
  if ((c === 67 /* C */ || c === 83 /* S */ || c === 46) /* . */ && CAUSE.test(line)) return true;
  if ((c === 84 /* T */ || c === 68) /* D */ && PYTHON.test(line)) return true;
  if (isLetter(c) && EXCEPTION.test(line) && !line.startsWith('Error:')) return true;
  return previous.length > 0 && isSessionDetail(line, previous);
}

const DETAIL_WORDS = new Set(['DETAIL', 'HINT', 'STATEMENT', 'CONTEXT', 'QUERY', 'LOCATION']);
/** The longest session prefix looked at. */
const MAX_PREFIX = 240;

function isSessionDetail(line: string, previous: string): boolean {
  const at = line.indexOf(':  ');
  if (at < 4 || at > MAX_PREFIX) return false;
  const start = upperWordStart(line, at);
  if (start < 0 || !DETAIL_WORDS.has(line.slice(start, at))) return false;
  const pat = previous.indexOf(':  ');
  if (pat < 3 || pat > MAX_PREFIX) return false;
  const pstart = upperWordStart(previous, pat);
  if (pstart < 0) return false;
  if (start === pstart && previous.startsWith(line.slice(0, start))) return true;
  const id = bracketNumber(line, start);
  return id !== undefined && id === bracketNumber(previous, pstart);
}

/** The digits after the first `[` before `end` that is followed by a digit. */
function bracketNumber(text: string, end: number): string | undefined {
  for (let i = text.indexOf('['); i !== -1 && i < end; i = text.indexOf('[', i + 1)) {
    let j = i + 1;
    while (j < end && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    if (j > i + 1) return text.slice(i + 1, j);
  }
  return undefined;
}

function hasText(line: string): boolean {
  for (let i = 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return true;
  }
  return false;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
