/**
 * Severity of a log line from its common shapes, checked in this order:
 *   1. JSON logs: a "level" / "severity" / "lvl" / "loglevel" field, as a
 *      word or a pino/bunyan number (10 trace, 20 debug, 30 info, 40 warn,
 *      50 error, 60 fatal);
 *   2. a syslog priority prefix "<N>" (N & 7: 0-3 error, 4 warn, 5-6 info, 7 debug);
 *   3. klog/glog "W1122 10:00:00.000000 ..." (I, W, E, F);
 *   4. a level marker after a process id, role letter and time (Redis:
 *      "12:M 02 Jan 2026 10:11:12.345 * msg"; `.` debug, `-` verbose,
 *      `*` notice, `#` warning);
 *   5. logfmt "level=error", "lvl=warn", "severity=info";
 *   6. a level word in brackets "[warn]", "<error>", "(INFO)", any case, also
 *      after a module name and a colon, and with a digit after it
 *      ("[core:error]", "[proxy:trace3]", as Apache's error log writes them);
 *   7. an upper-case level word ("ERROR", "WARN:") in the first 120
 *      characters; also `LOG` and `DEBUG1`-`DEBUG5` before a colon and two
 *      spaces (Postgres: "... [123] LOG:  msg" is INFO).
 * A level word at the very start of the line, any case ("error: ...",
 * "Warning ...", "INFO ..."), is taken before 5-7.
 * Only the first 120 characters are looked at (a long line costs no more).
 * Nothing else counts: a line on stderr is not an error by itself.
 */
export type Level = 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'OTHER';

export const LEVELS: readonly Level[] = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'OTHER'];

/** Rank for --level: a higher rank is more severe; OTHER is below DEBUG. */
export const LEVEL_RANK: Record<Level, number> = { OTHER: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

const WORDS: Record<string, Level> = {
  error: 'ERROR',
  err: 'ERROR',
  eror: 'ERROR',
  fatal: 'ERROR',
  dpanic: 'ERROR',
  crit: 'ERROR',
  critical: 'ERROR',
  panic: 'ERROR',
  emerg: 'ERROR',
  emergency: 'ERROR',
  alert: 'ERROR',
  severe: 'ERROR',
  warn: 'WARN',
  warning: 'WARN',
  wrn: 'WARN',
  info: 'INFO',
  inf: 'INFO',
  notice: 'INFO',
  informational: 'INFO',
  debug: 'DEBUG',
  dbg: 'DEBUG',
  dbug: 'DEBUG',
  trace: 'DEBUG',
  trc: 'DEBUG',
  verbose: 'DEBUG',
  fine: 'DEBUG',
  finer: 'DEBUG',
  finest: 'DEBUG',
};

const HEAD = 120;
const JSON_FIELD = /"(?:level|severity|lvl|loglevel|log\.level|levelname)"\s*:\s*(?:"([A-Za-z]+)|(\d+))/;
const SYSLOG = /^<(\d{1,3})>/;
const KLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d/;
const LOGFMT = /(?:^|[\s,;])(?:level|lvl|severity|loglevel)=["']?([A-Za-z]+)/i;
/** `:` opens too: the level after a module name (`[core:error]`); the digit is a trace level's (`[proxy:trace3]`). One expression, not a second pass: every line with a bracket runs it. */
const BRACKET = /[[<(:]([A-Za-z]{3,13})\d?[\]>)]/g;
/** Process id, role letter, day, month, year, time with milliseconds, then the marker and a space. */
const MARKER = /^\d+:[A-Za-z] \d\d? [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ([.*#-]) /;
/** The last two: words that are levels only before a colon and two spaces (Postgres's `LOG:  `, `DEBUG1:  `). */
const UPPER = /(?:^|[^A-Za-z0-9_])(ERROR|ERR|FATAL|CRIT|CRITICAL|PANIC|EMERG|ALERT|SEVERE|WARN|WARNING|INFO|NOTICE|DEBUG|TRACE|VERBOSE|LOG(?=: {2})|DEBUG[1-5](?=: {2}))(?![A-Za-z0-9_])/;

/**
 * A Map, not the object: looking a fresh string up as an object key makes
 * V8 search its table of interned strings first (a line's first word is
 * looked up on every line: 5% of `berth templates` on lines of fresh
 * words), and an object answered for inherited keys too (`constructor`).
 */
const WORD_LEVELS = new Map<string, Level>(Object.entries(WORDS));

export function levelFromWord(word: string): Level | undefined {
  return WORD_LEVELS.get(word.toLowerCase());
}

/** pino/bunyan numeric levels. */
export function levelFromNumber(n: number): Level {
  if (n >= 50) return 'ERROR';
  if (n >= 40) return 'WARN';
  if (n >= 30) return 'INFO';
  return 'DEBUG';
}

export function levelFromSyslog(priority: number): Level {
  const sev = priority & 7;
  return sev <= 3 ? 'ERROR' : sev === 4 ? 'WARN' : sev <= 6 ? 'INFO' : 'DEBUG';
}

const KLOG_LEVEL: Record<string, Level> = { I: 'INFO', W: 'WARN', E: 'ERROR', F: 'ERROR' };

/** A one-character level marker (`.` debug, `-` verbose, `*` notice, `#` warning). */
function markerLevel(head: string): Level | undefined {
  let i = 1;
  while (isDigit(head.charCodeAt(i))) i++;
  if (head.charCodeAt(i) !== 58 /* : */ || head.charCodeAt(i + 2) !== 32) return undefined; // most lines that start with a digit: a date
  const m = MARKER.exec(head);
  if (!m) return undefined;
  const c = m[1]!;
  return c === '#' ? 'WARN' : c === '*' ? 'INFO' : 'DEBUG';
}

/** Where the upper-case word (letters, then digits) ending at `end` starts, when it starts the text or follows a space; else -1. */
export function upperWordStart(text: string, end: number): number {
  let i = end;
  while (i > 0 && isDigit(text.charCodeAt(i - 1))) i--;
  const digits = i;
  while (i > 0 && isUpper(text.charCodeAt(i - 1))) i--;
  if (i === digits || (i > 0 && text.charCodeAt(i - 1) !== 32)) return -1;
  return i;
}

const isUpper = (c: number) => c >= 65 && c <= 90;
const isDigit = (c: number) => c >= 48 && c <= 57;

export function detectLevel(msg: string): Level {
  const head = msg.length > HEAD ? msg.slice(0, HEAD) : msg;
  const c = head.charCodeAt(0);
  if (c === 123 /* { */) {
    const m = JSON_FIELD.exec(msg.length > 4096 ? msg.slice(0, 4096) : msg);
    if (m) return m[2] !== undefined ? levelFromNumber(Number(m[2])) : (levelFromWord(m[1]!) ?? 'OTHER');
  } else if (c === 60 /* < */) {
    const m = SYSLOG.exec(head);
    if (m) return levelFromSyslog(Number(m[1]));
  }
  return textLevel(head);
}

function textLevel(head: string): Level {
  const c = head.charCodeAt(0);
  if (c === 73 || c === 87 || c === 69 || c === 70 /* I W E F */) {
    const k = KLOG.exec(head);
    if (k) return KLOG_LEVEL[k[1]!]!;
  } else if (isDigit(c)) {
    const m = markerLevel(head);
    if (m) return m;
  }
  const start = startWordLevel(head);
  if (start) return start;
  if (head.indexOf('=') !== -1) {
    const lf = LOGFMT.exec(head);
    const l = lf && levelFromWord(lf[1]!);
    if (l) return l;
  }
  const b = bracketLevel(head);
  if (b) return b;
  const u = UPPER.exec(head);
  if (!u) return 'OTHER';
  const w = u[1]!;
  return levelFromWord(w) ?? (w === 'LOG' ? 'INFO' : 'DEBUG');
}

/**
 * The level named by the line's first word: 3 to 13 letters, then a space,
 * `:`, `|` or `]` (what `/^([A-Za-z]{3,13})(?=[\s:|\]])/` matched). A scan,
 * not that regex: its match array and capture were made for every line
 * that starts with a word, which is most of them.
 */
function startWordLevel(head: string): Level | undefined {
  let n = 0;
  while (n < head.length && isAsciiLetter(head.charCodeAt(n))) n++;
  if (n < 3 || n > 13 || n === head.length) return undefined;
  const c = head.charCodeAt(n);
  if (c !== 58 && c !== 124 && c !== 93 && !isRegexSpace(c)) return undefined;
  return levelFromWord(head.slice(0, n));
}

const isAsciiLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** A character `\s` matches in a JavaScript regex. */
function isRegexSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function bracketLevel(head: string): Level | undefined {
  if (head.indexOf('[') === -1 && head.indexOf('<') === -1 && head.indexOf('(') === -1) return undefined;
  BRACKET.lastIndex = 0;
  for (let m = BRACKET.exec(head); m; m = BRACKET.exec(head)) {
    const l = levelFromWord(m[1]!);
    if (l) return l;
  }
  return undefined;
}
