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
const MAX_BRACKET = 512;

export const enum Kind {
  Ts,
  Level,
  Sep,
  Pipe,
  Tag,
  Logger,
  Bracket,
  Other,
}

export interface Token {
  start: number;
  end: number;
  kind: Kind;
}

export interface Header {
  /** Offset of the message in the line. */
  offset: number;
  /** The level word seen in the header, upper-cased and normalised, if any. */
  level?: string;
}

const MONTH = /^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]{0,6}\.?,?$/i;
const WEEKDAY = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?$/i;
const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T_:\-]?[\d:.,]*)?(?:Z|[+-]\d{2}:?\d{2})?,?$/;
const DATE_DMY = /^\d{1,2}[-/.](?:\d{1,2}|[A-Za-z]{3})[-/.]\d{2,4}(?::[\d:.,]+)?,?$/;
const COMPACT = /^(?:19|20)\d{2}(?:0[1-9]|1[0-2])[0-3]\d(?:[-T_]?\d{1,2}:?\d{1,2}:?\d{1,2}(?:[.,:]\d+)?)?(?:Z)?,?$/;
const TIME = /^\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?,?$/;
const EPOCH = /^1\d{9}(?:\d{3})?(?:\.\d{1,9})?$/;
const ZONE = /^(?:[+-]\d{4}|UTC|GMT|Z|[A-Z]{3,4}T)$/;
const YEAR = /^\d{4}$/;
const DAY = /^\d{1,2},?$/;
const SHORT_DATE = /^\d{1,2}[./]\d{1,2}$/;
const LEVEL_WORD =
  /^(?:TRACE|DEBUG|DBG|INFO|INF|NOTICE|WARN|WARNING|WRN|ERROR|ERR|CRIT|CRITICAL|FATAL|SEVERE|ALERT|EMERG|EMERGENCY|PANIC|FAILURE|FINE|FINER|FINEST)$/;
const TAG = /^[A-Za-z_][\w.\-/()]*\[\d+\]:$|^[A-Za-z_][\w\-/()]*:$/;
const LOGGER = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\(\d*\))?:$/;
const HAS_TIME = /\d{1,2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}/;

const LEVEL_ALIAS: Record<string, string> = {
  DBG: 'DEBUG', INF: 'INFO', WRN: 'WARN', WARNING: 'WARN', ERR: 'ERROR', CRIT: 'FATAL', CRITICAL: 'FATAL',
  SEVERE: 'ERROR', ALERT: 'FATAL', EMERG: 'FATAL', EMERGENCY: 'FATAL', PANIC: 'FATAL', FAILURE: 'ERROR',
  FINE: 'DEBUG', FINER: 'TRACE', FINEST: 'TRACE', NOTICE: 'INFO',
};

/** The normalised level for a level word (TRACE, DEBUG, INFO, WARN, ERROR, FATAL), or undefined. */
export function levelOf(word: string): string | undefined {
  const w = word.replace(/^[[(<]|[\])>]?:?$/g, '').toUpperCase();
  if (!LEVEL_WORD.test(w)) return undefined;
  return LEVEL_ALIAS[w] ?? w;
}

/** Splits the start of a line into at most `max` tokens: whitespace and `|` separate; `[...]` is one token. */
export function tokenizeHead(line: string, max = HEADER_WINDOW): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (out.length < max) {
    while (i < n && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    if (i >= n) break;
    const start = i;
    const c = line.charCodeAt(i);
    if (c === 124) {
      out.push({ start, end: i + 1, kind: Kind.Pipe });
      i++;
      continue;
    }
    i = c === 91 ? bracketEnd(line, i) : wordEnd(line, i);
    out.push({ start, end: i, kind: Kind.Other });
  }
  return out;
}

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

/** Classifies the tokens in place; month/day words count as time only next to a clock time. */
export function classify(line: string, toks: Token[]): void {
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind === Kind.Pipe) continue;
    t.kind = kindOf(line.slice(t.start, t.end));
  }
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k]!;
    if (t.kind !== Kind.Other) continue;
    const w = line.slice(t.start, t.end);
    if ((MONTH.test(w) || WEEKDAY.test(w)) && nearTime(toks, k)) t.kind = Kind.Ts;
    else if ((DAY.test(w) || YEAR.test(w)) && k > 0 && toks[k - 1]!.kind === Kind.Ts && nearTime(toks, k)) t.kind = Kind.Ts;
    else if (ZONE.test(w) && k > 0 && toks[k - 1]!.kind === Kind.Ts) t.kind = Kind.Ts;
  }
}

function nearTime(toks: Token[], k: number): boolean {
  for (let j = Math.max(0, k - 3); j <= Math.min(toks.length - 1, k + 3); j++) if (toks[j]!.kind === Kind.Ts) return true;
  return false;
}

function kindOf(w: string): Kind {
  const c = w.charCodeAt(0);
  if (w === '-' || w === '--' || w === ':' || w === '|') return Kind.Sep;
  if (c === 91) return bracketKind(w);
  if (c >= 48 && c <= 57) return isTime(w) ? Kind.Ts : Kind.Other;
  if (LEVEL_WORD.test(w.endsWith(':') ? w.slice(0, -1) : w)) return Kind.Level;
  if (LOGGER.test(w)) return Kind.Logger;
  if (TAG.test(w)) return Kind.Tag;
  return Kind.Other;
}

function isTime(w: string): boolean {
  return DATE.test(w) || TIME.test(w) || EPOCH.test(w) || COMPACT.test(w) || DATE_DMY.test(w);
}

function bracketKind(w: string): Kind {
  const close = w.lastIndexOf(']');
  const inner = w.slice(1, close).trim();
  if (levelOf(inner)) return Kind.Level;
  if (HAS_TIME.test(inner)) return Kind.Ts;
  const parts = inner.split(/\s+/);
  if (parts.length <= 3 && parts.some((p) => TIME.test(p)) && parts.every((p) => TIME.test(p) || SHORT_DATE.test(p) || DATE.test(p))) return Kind.Ts;
  return Kind.Bracket;
}

/** Where the message starts in `line`, and the header's level. */
export function findHeader(line: string): Header {
  const toks = tokenizeHead(line);
  if (toks.length === 0) return { offset: 0 };
  classify(line, toks);
  let j = anchorEnd(toks);
  if (j < 0) return { offset: 0 };
  const level = levelIn(line, toks, j);
  j = afterAnchor(toks, j, toks[j - 1]!.kind === Kind.Ts);
  if (j >= toks.length) return { offset: toks.length > 0 ? line.length : 0, level };
  return { offset: toks[j]!.start, level };
}

/** Index after the last timestamp/level anchor of the header, or -1 when the line has no header. */
function anchorEnd(toks: Token[]): number {
  let k = 0;
  while (k < toks.length && isSep(toks[k]!.kind)) k++;
  let last = -1;
  let gap = 0;
  for (; k < toks.length; k++) {
    const kind = toks[k]!.kind;
    if (kind === Kind.Ts || kind === Kind.Level) {
      if (last < 0 && gap > 1) return -1;
      if (kind === Kind.Level && last < 0 && gap > 0) return -1;
      last = k;
      gap = 0;
      if (kind === Kind.Level) break;
    } else if (!isSep(kind) && ++gap > MAX_GAP) break;
  }
  return last + 1 || -1;
}

function levelIn(line: string, toks: Token[], end: number): string | undefined {
  for (let k = end - 1; k >= 0; k--) if (toks[k]!.kind === Kind.Level) return levelOf(line.slice(toks[k]!.start, toks[k]!.end));
  return undefined;
}

/** Skips what follows the anchors: a thread group, `name -`, `host tag:`, a logger, `|` fields. */
function afterAnchor(toks: Token[], j: number, afterTime: boolean): number {
  const kindAt = (k: number) => (k < toks.length ? toks[k]!.kind : undefined);
  if (kindAt(j) === Kind.Pipe) return skipSeps(toks, j);
  j = skipSeps(toks, j);
  if (kindAt(j) === Kind.Level) j = skipSeps(toks, j + 1);
  if (kindAt(j) === Kind.Bracket) j = skipSeps(toks, j + 1);
  if (kindAt(j) === Kind.Logger) return skipSeps(toks, j + 1);
  if (afterTime && kindAt(j) === Kind.Tag) return skipSeps(toks, j + 1);
  if (afterTime && kindAt(j + 1) === Kind.Tag && kindAt(j) === Kind.Other) return skipSeps(toks, j + 2);
  for (let k = j; k < j + 2 && kindAt(k) === Kind.Other; k++) if (kindAt(k + 1) === Kind.Sep) return skipSeps(toks, k + 2);
  return j;
}

const isSep = (k: Kind | undefined) => k === Kind.Sep || k === Kind.Pipe;

/** Skips separators; `a | b | msg` style fields (single tokens between pipes) go too. */
function skipSeps(toks: Token[], j: number): number {
  for (;;) {
    while (j < toks.length && isSep(toks[j]!.kind)) j++;
    if (j > 0 && j + 1 < toks.length && toks[j - 1]!.kind === Kind.Pipe && toks[j + 1]!.kind === Kind.Pipe && isPipeRun(toks, j)) {
      j += 1;
      continue;
    }
    return j;
  }
}

/** True when token j sits between two `|` separators directly (a pipe-delimited header field). */
function isPipeRun(toks: Token[], j: number): boolean {
  return toks[j + 1]!.start === toks[j]!.end && toks[j - 1]!.end === toks[j]!.start;
}
