/**
 * Finds where the message starts in a raw log line, with no header format
 * from the user. The first tokens of the line (at most HEADER_WINDOW) are
 * classified: timestamps in the common shapes (ISO, RFC 3339, syslog
 * `Mon DD HH:MM:SS`, epoch seconds or millis, `yyyy.mm.dd`, compact
 * `yyyymmdd-hh:mm:ss`, bracketed `[...]` times), levels (`INFO`, `[warn]`),
 * separators (`-`, `|`), syslog tags (`sshd[123]:`), dotted logger names
 * (`org.x.Y:`), bracketed groups (`[main]`) and anything else. The header is
 * the run of tokens up to the last timestamp or level, allowing up to
 * MAX_GAP unknown fields (hosts, node names) between them; then one thread
 * group, one `name -` field, one `host tag:` pair or logger name, and
 * `|`-delimited fields. A line with no timestamp or level at its start keeps
 * everything (except a leading level).
 */

const HEADER_WINDOW = 16;
const MAX_GAP = 3;
const MAX_AFTER = 4;
const MAX_BRACKET = 512;

/**
 * What a column of a line's head is. The scanner here gives Ts, Level,
 * Bracket, Sep, Pipe, Tag, Logger or Other (anything else); the learned
 * header (learned-header.ts) splits Other into Num, Mixed (letters and
 * digits: ids, pids), Word, Marker (one symbol or upper-case letter: `*`,
 * `#`, `I`) and Other, takes a bracketed level as Bracket, and counts a
 * column a line lacks as Missing. One list, so the two cannot
 * drift apart; its order is the learned header's tie-break (of equally
 * common kinds, the first wins).
 */
export const enum Kind {
  Ts,
  Level,
  Bracket,
  Sep,
  Pipe,
  Tag,
  Logger,
  Num,
  Mixed,
  Word,
  Other,
  Marker,
  Missing,
}

/** How many kinds there are. */
export const KINDS = 13;

export interface Header {
  /** Offset of the message in the line. */
  offset: number;
  /** The level word seen in the header, upper-cased and normalised, if any. */
  level?: string;
}

const MONTH = /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?,?$/i;
const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?$/i;
const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T_:-]?[\d:.,]*)?(?:Z|[+-]\d{2}:?\d{2})?,?$/;
const DATE_DMY = /^\d{1,2}[-/.](?:\d{1,2}|[A-Za-z]{3})[-/.]\d{2,4}(?::[\d:.,]+)?,?$/;
const COMPACT = /^(?:19|20)\d{2}(?:0[1-9]|1[0-2])[0-3]\d(?:[-T_]?\d{1,2}:?\d{1,2}:?\d{1,2}(?:[.,:]\d+)?)?(?:Z)?,?$/;
const TIME = /^\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?,?$/;
const EPOCH = /^1\d{9}(?:\d{3})?(?:\.\d{1,9})?$/;
const ZONE = /^(?:[+-]\d{4}|UTC|GMT|Z|[A-Z]{3,4}T)$/;
const YEAR = /^\d{4}$/;
const DAY = /^\d{1,2},?$/;
const SHORT_DATE = /^\d{1,2}[./]\d{1,2}$/;
const LEVEL_WORD = /^(?:TRACE|DEBUG|DBG|INFO|INF|NOTICE|WARN|WARNING|WRN|ERROR|ERR|CRIT|CRITICAL|FATAL|SEVERE|ALERT|EMERG|EMERGENCY|PANIC|FAILURE|FINE|FINER|FINEST)$/;
const TAG = /^[A-Za-z_][\w.\-/()]*\[\d+\]:$|^[A-Za-z_][\w\-/()]*:$/;
const LOGGER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\d*\))?:$/;
/**
 * A capitalised or lower-case level word right after a time (`..., Info`,
 * `...Z\tinfo\t`, as console encoders write it). Lower-case was left in
 * the message, so one event logged at two levels was two templates.
 */
const CAPITAL_LEVEL = /^(?:Trace|Debug|Info|Notice|Warn|Warning|Error|Critical|Fatal|Severe|trace|debug|info|notice|warn|warning|error|critical|fatal):?,?$/;
/** Python logging's default format: `INFO:name:message`. */
const PYTHON_PREFIX = /^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL):[^:\s]*:/;
const HAS_TIME = /\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}/;

const LEVEL_ALIAS: Record<string, string> = {
  DBG: 'DEBUG',
  INF: 'INFO',
  WRN: 'WARN',
  WARNING: 'WARN',
  ERR: 'ERROR',
  CRIT: 'FATAL',
  CRITICAL: 'FATAL',
  SEVERE: 'ERROR',
  ALERT: 'FATAL',
  EMERG: 'FATAL',
  EMERGENCY: 'FATAL',
  PANIC: 'FATAL',
  FAILURE: 'ERROR',
  FINE: 'DEBUG',
  FINER: 'TRACE',
  FINEST: 'TRACE',
  NOTICE: 'INFO',
};

/** The normalised level for a level word (TRACE, DEBUG, INFO, WARN, ERROR, FATAL), or undefined. */
export function levelOf(word: string): string | undefined {
  const w = word.replace(/^[[(<]|[\])>]?:?$/g, '').toUpperCase();
  if (!LEVEL_WORD.test(w)) return undefined;
  return LEVEL_ALIAS[w] ?? w;
}

/**
 * The scanner keeps the current line's head in preallocated arrays (no
 * object per token): token bounds, and each token's kind, computed on
 * demand. `base` kinds come from the token alone; `final` kinds add the
 * context rules (a month, day, year or zone next to a clock time is time),
 * computed in order as the original two-pass classification did.
 */
const UNKNOWN = -1;
const starts = new Int32Array(HEADER_WINDOW);
const ends = new Int32Array(HEADER_WINDOW);
const base = new Int8Array(HEADER_WINDOW);
const final = new Int8Array(HEADER_WINDOW);
let count = 0;
let finalUpTo = -1;
let text = '';
let pos = 0;
let ended = false;

function scan(line: string): void {
  text = line;
  count = 0;
  finalUpTo = -1;
  pos = 0;
  ended = false;
}

/** True when token k exists; scans the line lazily up to it. */
function has(k: number): boolean {
  while (count <= k && !ended) next();
  return k < count;
}

function next(): void {
  const line = text;
  const n = line.length;
  let i = pos;
  while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
  if (i >= n || count >= HEADER_WINDOW) {
    ended = true;
    return;
  }
  const c = line.charCodeAt(i);
  starts[count] = i;
  if (c === 124) i++;
  else i = c === 91 ? bracketEnd(line, i) : wordEnd(line, i);
  ends[count] = i;
  base[count] = c === 124 ? Kind.Pipe : UNKNOWN;
  final[count] = UNKNOWN;
  count++;
  pos = i;
}

function baseKind(k: number): Kind {
  if (base[k] === UNKNOWN) base[k] = kindAt(starts[k]!, ends[k]!);
  return base[k] as Kind;
}

/** The kind with context rules; computes every earlier token first, as a left-to-right pass does. */
function kindOfToken(k: number): Kind {
  while (finalUpTo < k) {
    const j = ++finalUpTo;
    final[j] = contextKind(j, baseKind(j));
  }
  return final[k] as Kind;
}

function contextKind(k: number, kind: Kind): Kind {
  if (kind !== Kind.Other) return kind;
  const a = starts[k]!;
  const len = ends[k]! - a;
  const c = text.charCodeAt(a);
  const prevTs = k > 0 && final[k - 1] === Kind.Ts;
  if (isLetter(c) && len >= 3 && len <= 11) {
    const w = text.slice(a, ends[k]);
    if ((MONTH.test(w) || WEEKDAY.test(w)) && nearTime(k)) return Kind.Ts;
    if (prevTs && CAPITAL_LEVEL.test(w)) return Kind.Level; // "2016-09-28 04:30:30, Info ..."
  } else if (c >= 48 && c <= 57 && len <= 5) {
    const w = text.slice(a, ends[k]);
    // a day or year only completes a date that lacks one (`Mon DD HH:MM:SS YYYY`): after a full date (`2026-01-01T10:00:00Z 2048
    // bytes`), a number is the message's, and taking it as a year split lines by how many digits it had
    if (prevTs && (DAY.test(w) || YEAR.test(w)) && nearTime(k) && !dateBefore(k)) return Kind.Ts;
    if (DAY.test(w) && monthNext(k) && nearTime(k + 1)) return Kind.Ts;
  }
  if (prevTs && len <= 5 && ZONE.test(text.slice(a, ends[k]))) return Kind.Ts;
  return Kind.Other;
}

/** A token before k is a whole date with its year (ISO, `yyyy/mm/dd`, compact, epoch). */
function dateBefore(k: number): boolean {
  for (let j = 0; j < k; j++) {
    if (final[j] === Kind.Ts && FULL_DATE.test(text.slice(starts[j], ends[j]))) return true;
  }
  return false;
}
const FULL_DATE = /\d{4}[-/.]\d{1,2}[-/.]\d|\d{1,2}[-/.](?:\d{1,2}|[A-Za-z]{3})[-/.]\d{4}|^\[?(?:19|20)\d{6}|^1\d{9}/;

/** The next token is a month name (a day before its month: `22 Nov 2026 10:00:00`). */
function monthNext(k: number): boolean {
  return has(k + 1) && MONTH.test(text.slice(starts[k + 1], ends[k + 1]));
}

/** A clock time among the three tokens on either side (earlier ones with context, later ones alone). */
function nearTime(k: number): boolean {
  for (let j = Math.max(0, k - 3); j <= k + 3 && has(j); j++) {
    if (j === k) continue;
    if ((j < k ? final[j] : baseKind(j)) === Kind.Ts) return true;
  }
  return false;
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

function wordEnd(line: string, i: number): number {
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 124) break;
    i++;
  }
  return i;
}

/** End of a balanced `[...]` starting at i (plus a directly attached suffix like `:`), or of the word if unbalanced. */
function bracketEnd(line: string, i: number): number {
  let depth = 0;
  const limit = Math.min(line.length, i + MAX_BRACKET);
  for (let j = i; j < limit; j++) {
    const c = line.charCodeAt(j);
    if (c === 91) depth++;
    else if (c === 93 && --depth === 0) return wordEnd(line, j + 1);
  }
  return wordEnd(line, i);
}

/** The kind of text[a, b) on its own; cheap character checks before any regular expression. */
function kindAt(a: number, b: number): Kind {
  const c = text.charCodeAt(a);
  const len = b - a;
  const last = text.charCodeAt(b - 1);
  if ((c === 58 && len === 1) || (c === 45 && len <= 4 && isDashes(a, b))) return Kind.Sep;
  if (c === 91) return bracketKind(text.slice(a, b));
  if (c >= 48 && c <= 57) return mayBeTime(a, b) && isTime(text.slice(a, b)) ? Kind.Ts : Kind.Other;
  if (!isLetter(c) && c !== 95 && c !== 36) return Kind.Other;
  const colon = last === 58;
  if (len - (colon ? 1 : 0) <= 9 && isUpperWord(a, colon ? b - 1 : b) && LEVEL_WORD.test(text.slice(a, colon ? b - 1 : b))) return Kind.Level;
  if (!colon) return Kind.Other;
  const w = text.slice(a, b);
  if (LOGGER.test(w)) return Kind.Logger;
  if (TAG.test(w)) return Kind.Tag;
  return Kind.Other;
}

/** A cheap filter before the time expressions: the characters a time can have, in plausible counts. */
function mayBeTime(a: number, b: number): boolean {
  let digits = 0;
  let seps = 0;
  let slash = false;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 45 || c === 58 || c === 46 || c === 44 || c === 43 || c === 95) seps++;
    else if (c === 47) slash = true;
    else if (c !== 84 && c !== 90 && !slash) return false; // letters other than T and Z only in d/Mon/yyyy
  }
  if (seps === 0 && !slash) return digits === 8 || digits === 10 || digits === 13;
  return digits >= 4;
}

function isDashes(a: number, b: number): boolean {
  for (let i = a; i < b; i++) if (text.charCodeAt(i) !== 45) return false;
  return true;
}

function isUpperWord(a: number, b: number): boolean {
  if (b - a < 3) return false;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c < 65 || c > 90) return false;
  }
  return true;
}

function isTime(w: string): boolean {
  return DATE.test(w) || TIME.test(w) || EPOCH.test(w) || COMPACT.test(w) || DATE_DMY.test(w);
}

function bracketKind(w: string): Kind {
  const close = w.lastIndexOf(']');
  const inner = w.slice(1, close).trim();
  if (inner.length <= 9 && levelOf(inner)) return Kind.Level;
  if (HAS_TIME.test(inner)) return Kind.Ts;
  const parts = inner.split(/\s+/);
  if (parts.length <= 3 && parts.some((p) => TIME.test(p)) && parts.every((p) => TIME.test(p) || SHORT_DATE.test(p) || DATE.test(p))) return Kind.Ts;
  return Kind.Bracket;
}

/** klog/glog: `W1122 10:59:04.666575     1 main.go:10] message` (level letter and date, time, thread id, file:line]). */
const KLOG_PREFIX = /^([IWEF])\d{4} \d\d:\d\d:\d\d(?:\.\d+)? +\d+ [^\s\]]+\] ?/;
const KLOG_LEVEL: Record<string, string> = { I: 'INFO', W: 'WARN', E: 'ERROR', F: 'FATAL' };
/** A syslog priority written against the text (`<3>disk full`, as the kernel and systemd's stdout do). */
const SYSLOG_PRI = /^<\d{1,3}>(?=\S)/;

/** The length of a prefix that is a whole header by its shape alone (klog), or 0. Cheap first checks keep the hot path fast. */
function shapedPrefix(line: string): { length: number; level?: string } | undefined {
  const c = line.charCodeAt(0);
  if ((c === 73 || c === 87 || c === 69 || c === 70) /* I W E F */ && line.charCodeAt(1) >= 48 && line.charCodeAt(1) <= 57) {
    const k = KLOG_PREFIX.exec(line);
    if (k) return { length: k[0].length, level: KLOG_LEVEL[k[1]!] };
  }
  return undefined;
}

/** The length of a syslog priority glued to a message (`<3>disk full`), or 0; one before a timestamp is left to the scanner. */
function gluedPriority(line: string): number {
  if (line.charCodeAt(0) !== 60 /* < */) return 0;
  const pri = SYSLOG_PRI.exec(line);
  if (!pri || /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d{4}-|\d{10})/i.test(line.slice(pri[0].length))) return 0;
  return pri[0].length;
}

/** Where the message starts in `line` (0 when the line has no header). The hot path: allocates nothing for most lines. */
export function messageStart(line: string): number {
  const shaped = shapedPrefix(line);
  if (shaped) return shaped.length;
  const pri = gluedPriority(line);
  if (pri) return pri + messageStart(line.slice(pri));
  return scannedStart(line);
}

/** The message start found by the token scanner (after the prefixes known by shape); leaves the scan for findHeader's level. */
function scannedStart(line: string): number {
  const c = line.charCodeAt(0);
  const py = c === 68 || c === 73 || c === 87 || c === 69 || c === 67 ? PYTHON_PREFIX.exec(line) : null; // D I W E C: the prefix's first letters
  if (py) return py[0].length;
  scan(line);
  if (!has(0)) return 0;
  const anchor = anchorEnd();
  if (anchor < 0) return 0;
  const j = afterAnchor(anchor, kindOfToken(anchor - 1) === Kind.Ts);
  if (has(j)) return starts[j]!;
  // the fields after the anchor took the whole rest (`"..." 304 -` read as `name x -`): they are the message
  return has(anchor) && !isSep(kindOfToken(anchor)) ? starts[anchor]! : line.length;
}

/** Where the message starts in `line`, and the header's level. */
export function findHeader(line: string): Header {
  const shaped = shapedPrefix(line);
  if (shaped) return { offset: shaped.length, level: shaped.level };
  const pri = gluedPriority(line);
  if (pri) {
    const inner = findHeader(line.slice(pri));
    return { offset: pri + inner.offset, ...(inner.level !== undefined ? { level: inner.level } : {}) };
  }
  const offset = scannedStart(line);
  if (offset === 0) return { offset };
  let level: string | undefined;
  for (let k = 0; has(k) && starts[k]! < offset; k++) {
    if (kindOfToken(k) === Kind.Level) level = levelOf(text.slice(starts[k], ends[k]));
  }
  return { offset, level };
}

/**
 * Index after the last timestamp/level anchor of the header, or -1 when the
 * line has no header. Before the first anchor there may be up to three
 * plain numbers (dates, times, pids in shapes not known here) and one word
 * (a host) before a time, no word before a level.
 */
function anchorEnd(): number {
  let k = 0;
  while (has(k) && isSep(kindOfToken(k))) k++;
  let last = -1;
  let gap = 0;
  let words = 0;
  let nums = 0;
  for (; has(k); k++) {
    const kind = kindOfToken(k);
    if (kind === Kind.Ts || kind === Kind.Level) {
      if (last < 0 && (kind === Kind.Level ? words > 0 : words > 1)) return -1;
      last = k;
      gap = 0;
      if (kind === Kind.Level) break;
    } else if (isSep(kind)) continue;
    else if (last >= 0) {
      if (++gap > MAX_GAP) break;
    } else if (isNumber(k) ? ++nums > 3 : ++words > 1) return -1;
  }
  return last + 1 || -1;
}

function isNumber(k: number): boolean {
  for (let i = starts[k]!; i < ends[k]!; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

const kindAtIndex = (k: number): Kind | undefined => (has(k) ? kindOfToken(k) : undefined);

/**
 * Skips what follows the anchors, at most MAX_AFTER fields: levels and
 * bracketed groups (`[main]`), `name -` / `pid ---` / `logger :` fields, and
 * then at most one of: a logger (`org.x.Y:`), a syslog `tag[pid]:` (alone or
 * after a host, only after a time), which end the header. `|` fields go too.
 */
function afterAnchor(j: number, afterTime: boolean): number {
  if (kindAtIndex(j) === Kind.Pipe) return skipSeps(j);
  j = skipSeps(j);
  for (let step = 0; step < MAX_AFTER; step++) {
    const k = kindAtIndex(j);
    if (k === Kind.Level || k === Kind.Bracket) j = skipSeps(j + 1);
    else if (k === Kind.Logger || (afterTime && k === Kind.Tag)) return skipSeps(j + 1);
    else if (k !== Kind.Other) return j;
    else if (afterTime && kindAtIndex(j + 1) === Kind.Tag) return skipSeps(j + 2);
    else if (kindAtIndex(j + 1) === Kind.Sep) j = skipSeps(j + 2);
    else if (kindAtIndex(j + 1) === Kind.Other && kindAtIndex(j + 2) === Kind.Sep) j = skipSeps(j + 3);
    else return j;
  }
  return j;
}

const isSep = (k: Kind | undefined) => k === Kind.Sep || k === Kind.Pipe;

/** Skips separators; `a | b | msg` style fields (single tokens between pipes) go too. */
function skipSeps(j: number): number {
  for (;;) {
    while (has(j) && isSep(kindOfToken(j))) j++;
    if (j > 0 && has(j + 1) && kindOfToken(j - 1) === Kind.Pipe && kindOfToken(j + 1) === Kind.Pipe && starts[j + 1] === ends[j] && ends[j - 1] === starts[j]) {
      j += 1;
      continue;
    }
    return j;
  }
}

/** Columns the learned header looks at (header.ts's window). */
export const COLUMNS = HEADER_WINDOW;

/**
 * The first columns of `line` as the scanner sees them (a balanced `[...]`
 * is one column): their start offsets and kinds, into `out` (reused, no
 * allocation). Returns how many there are (at most COLUMNS).
 */
export function scanColumns(line: string, outStarts: Int32Array, outEnds: Int32Array, outKinds: Int8Array): number {
  scan(line);
  let k = 0;
  for (; k < HEADER_WINDOW && has(k); k++) {
    outStarts[k] = starts[k]!;
    outEnds[k] = ends[k]!;
    outKinds[k] = kindOfToken(k);
  }
  return k;
}
