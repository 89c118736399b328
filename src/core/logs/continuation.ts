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
 *   `Error: x` is not one (Node prints its own records that way).
 * A blank line is never a continuation (it is skipped, not joined).
 */

const CAUSE = /^(?:Caused by|Suppressed): |^\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const PYTHON = /^(?:Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause)/;
const EXCEPTION = /^(?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*(?:Error|Exception|Throwable|Exit|Interrupt|Warning)(?::|$)/;

export function isContinuation(line: string, previous?: string): boolean {
  if (previous === undefined || line.length === 0) return false;
  const c = line.charCodeAt(0);
  if (c === 9 || c === 32) return hasText(line);
  if ((c === 67 /* C */ || c === 83 /* S */ || c === 46) /* . */ && CAUSE.test(line)) return true;
  if ((c === 84 /* T */ || c === 68) /* D */ && PYTHON.test(line)) return true;
  return isLetter(c) && EXCEPTION.test(line) && !line.startsWith('Error:');
}

function hasText(line: string): boolean {
  for (let i = 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return true;
  }
  return false;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
