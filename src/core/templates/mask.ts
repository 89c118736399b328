/**
 * Masks the obvious variables of a message and splits it into tokens for
 * clustering. A masked part shows as `<*>`. Rules, per whitespace token after
 * peeling brackets, quotes and trailing punctuation:
 * - quoted strings `"..."` (may span spaces) are one `<*>`, except a logfmt
 *   message (`msg="..."`, `error="..."`) and one plain word (`"GET"`, `"ok"`);
 * - URLs (`scheme://...`) and paths (`/a/b`, `./a`, `~/a`, `C:\a`) are `<*>`;
 * - `key=value`: the value is `<*>` (the key stays, an empty value stays empty);
 * - `key:value` with a digit in the value and a plain word as key: `key:<*>`;
 * - any other token with a digit is `<*>`: numbers, IPv4/IPv6 with ports,
 *   hex ids, UUIDs, durations and sizes (10ms, 4KiB), versions, host:port.
 * - a word longer than MAX_WORD characters is `<*>` (base64, blobs).
 * Everything else is a constant word and kept as written.
 */

export const WILDCARD = '<*>';

const QUOTED = /(\b(?:msg|message|error|err|event)=)?"((?:[^"\\]|\\.)*)"/g;
/**
 * A quoted value is one `<*>` unless it is a logfmt message (`msg="..."`)
 * or one plain word ("GET", "ok": PLAIN_WORD). A quoted request or statement is a
 * value whole, its verb with it (`"GET /x HTTP/1.1"` is `<*>`): an access
 * log is one event whatever the method, and keeping the verb made one
 * template per method (and per malformed request). A quoted word that is a
 * value by itself (a URL, a path, a host) is `<*>` like a quoted sentence:
 * as `"<*>"` it was another template than the same field's `"-"` or user agent.
 */
const quoted = (all: string, msgKey: string | undefined, inner: string): string => {
  if (msgKey !== undefined || PLAIN_WORD.test(inner)) return all;
  return WILDCARD;
};
/**
 * A quoted word that stays: letters, `_` and inner `-` (`"GET"`,
 * `"read-only"`). `"-"`, the no-value mark of access logs (referer, user
 * agent, user), is a variable like the values it stands for (kept as a
 * word, it split every access-log event in two); so is a name with `@`,
 * `.`, `/` or `:` (`"web@docker"`, `"a.conf"`).
 */
const PLAIN_WORD = /^[A-Za-z_]+(?:-[A-Za-z_]+)*$/;

/** Upper-case words with a short number stay constant: protocol and algorithm names (HTTP2, SOCKS5, MD5, SHA256). */
const ACRONYM = /^[A-Z]{2,}\d{1,3}$/;
const MONTH_DAY = /^(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6}\.?,?$/;
/** Host names: lower-case dotted names with two dots or more, or one dot and a common top-level domain. */
const HOST = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+){2,}$|^[a-z0-9-]+\.(?:com|net|org|io|dev|local|internal|lan|cloud|app)$/;
const EMPTY = /^(?:\(\)|\[\]|\{\}|""|'')[,;:.]?$/;
/** Unit words that belong to the number before them (durations and sizes): `12 ms`, `(18.4 KB)`, `<1 sec`. */
const UNIT = /^(?:ns|us|µs|ms|s|sec|secs|seconds?|mins?|minutes?|h|hrs?|hours?|days?|B|[kKMGTP]i?B|[kKMG]|bytes?)[)\],;.]*$/;

/**
 * Scratch for one message: its masked tokens (OUT) and the words they came
 * from (RAW), the first `count` of each. Reused from message to message
 * (two arrays grown by pushes per line were a quarter of the memory
 * `berth templates` allocated on lines that match nothing); the result is
 * an array of its exact length. Bound: as long as the longest message.
 */
const OUT: string[] = [];
const RAW: string[] = [];
let count = 0;
/** OUT[count - 1] has a `<*>` in it (so a unit or a list may join it). */
let lastWild = false;
/** A token ended with a comma (only then can there be a list of names: see joinLists). */
let comma = false;

/** The masked tokens of a message. */
export function maskTokens(message: string): string[] {
  const text = message.indexOf('"') >= 0 ? message.replace(QUOTED, quoted) : message;
  count = 0;
  lastWild = false;
  comma = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const a = i;
    let letters = true;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) break;
      if (letters && !isLetter(c)) letters = false;
    }
    push(text.slice(a, i), letters);
  }
  maskDates(OUT, count);
  if (count === 1 && OUT[0] === WILDCARD) return [maskInside(RAW[0]!)];
  return joinNumbers(OUT, RAW, comma ? joinLists(OUT, RAW, count) : count);
}

/**
 * A message of one token is not all variable: its digit runs are masked and
 * its words kept (`cancelSync,index:<*>`). Masked whole, every one-token
 * message with a digit (`cancelSync,index:0`, `x=5`, `retry#3`) was one
 * template, `<*>`.
 */
function maskInside(tok: string): string {
  if (tok.length > MAX_WORD || !/[A-Za-z]{2}/.test(tok)) return WILDCARD;
  return tok.replace(/(?:0x)?\d[\w.:-]*/g, (v) => (/^[a-z_]+$/i.test(v) ? v : WILDCARD));
}

/**
 * Runs of numbers collapse to one `<*>`: a date or time written as several
 * words (`Sun Jul 13 04:11:51 2005`), a space-separated list of numbers
 * (`REPORT : 1 2 3` and `REPORT : 4`). A masked value that is not a number
 * (an identifier `bob58`, a host) is not joined with its neighbours: with
 * every run of values collapsed, `user root 1.2.3.4` (a word, then a value)
 * and `user bob58 1.2.3.5` (two values) had different lengths, hence were
 * different templates.
 */
function joinNumbers(out: string[], raw: string[], n: number): string[] {
  let k = 0;
  let last = '';
  for (let i = 0; i < n; i++) {
    const r = raw[i]!;
    if (k > 0 && out[i] === WILDCARD && out[k - 1] === WILDCARD && ((NUMBER_WORD.test(r) && NUMBER_WORD.test(last)) || sameShape(r, last))) {
      last = r;
      continue;
    }
    // a bracketed list: `[<*>` then `<*>` or `<*>]` of one shape inside the brackets
    if (k > 0 && isOpen(out[k - 1]!.charCodeAt(0)) && isOpenWild(out[k - 1]!) && isWildClose(out[i]!) && sameShape(unwrap(r), unwrap(last))) {
      out[k - 1] += out[i]!.slice(3);
      last = r;
      continue;
    }
    last = r;
    out[k++] = out[i]!;
  }
  return out.slice(0, k);
}

/**
 * Two values of one shape, the same punctuation in the same order (`10.0.0.1`
 * and `10.0.0.22`, `ab12` and `7f3e`, `node-3` and `node-12`): items of a
 * space-separated list, one `<*>` together, so a list of any length is one
 * template; inside brackets too (`[a.example.com b.example.com]` is `[<*>]`).
 * A name and an address beside it (`bob58 1.2.3.5`) differ in shape and
 * stay two values.
 */
function sameShape(a: string, b: string): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && isWordChar(a.charCodeAt(i))) i++;
    while (j < b.length && isWordChar(b.charCodeAt(j))) j++;
    if (i === a.length || j === b.length) return i === a.length && j === b.length;
    if (a.charCodeAt(i++) !== b.charCodeAt(j++)) return false;
  }
}

/** `<*>` after opening brackets only (`[<*>`, `(<*>`). */
function isOpenWild(t: string): boolean {
  const i = t.length - 3;
  if (i < 1 || !t.endsWith(WILDCARD)) return false;
  for (let j = 0; j < i; j++) if (!isOpen(t.charCodeAt(j))) return false;
  return true;
}

/** `<*>` then closing brackets or an end mark only (`<*>`, `<*>]`, `<*>])`). */
function isWildClose(t: string): boolean {
  if (!t.startsWith(WILDCARD)) return false;
  for (let j = 3; j < t.length; j++) if (!isClose(t.charCodeAt(j))) return false;
  return true;
}

/** A token without its brackets and end marks. */
function unwrap(t: string): string {
  let a = 0;
  let b = t.length;
  while (a < b && isOpen(t.charCodeAt(a))) a++;
  while (b > a && isClose(t.charCodeAt(b - 1))) b--;
  return t.slice(a, b);
}

const isWordChar = (c: number) => (c >= 48 && c <= 57) || isLetter(c);

/**
 * A comma-separated list of names (`alice, bob, carol`, `[db1, db2]`) is one
 * `<*>` (its brackets kept): from three items on, or from two inside
 * brackets, at the message's end, or with a digit in one (`alice, bob58`). Items are single words, all names (a letter first: `node-3`,
 * `bob58`) or all values; a run of values alone is joined as it is read
 * (see push). A list of two words within the message stays (`reset,
 * retrying in 5s` is prose as often as a list), and so does a run mixing words
 * and values (`current 5 MB, peak 9 MB`: a value, then a constant).
 */
function joinLists(out: string[], raw: string[], n: number): number {
  let k = 0;
  for (let i = 0; i < n;) {
    const j = listEnd(out, raw, i, n);
    if (j > i) {
      const first = out[i]!;
      const lastTok = out[j - 1]!;
      let a = 0;
      while (a < first.length && isOpen(first.charCodeAt(a))) a++;
      let b = lastTok.length;
      while (b > 0 && isClose(lastTok.charCodeAt(b - 1))) b--;
      out[k] = first.slice(0, a) + WILDCARD + lastTok.slice(b);
      raw[k] = raw[j - 1]!;
      k++;
      i = j;
      continue;
    }
    out[k] = out[i]!;
    raw[k] = raw[i]!;
    k++;
    i++;
  }
  return k;
}

/** End (exclusive) of a list of names starting at i, or i when there is none (see joinLists). */
function listEnd(out: string[], raw: string[], i: number, n: number): number {
  const first = out[i]!;
  if (first.charCodeAt(first.length - 1) !== 44) return i;
  const bracket = first.charCodeAt(0) === 91 || first.charCodeAt(0) === 40 || first.charCodeAt(0) === 123;
  const kind = itemKind(raw[i]!, bracket, true);
  if (kind === 0) return i;
  let j = i + 1;
  while (j < n && itemKind(raw[j]!, false, true) === kind) j++;
  // the last item has no comma (a closing bracket and an end mark may follow)
  if (j >= n || itemKind(raw[j]!, false, false) !== kind) return i;
  const items = j + 1 - i;
  const closed = isClose(raw[j]!.charCodeAt(raw[j]!.length - 1)) && raw[j]!.charCodeAt(raw[j]!.length - 1) !== 44;
  if (items >= 3 || (items === 2 && ((bracket && closed) || j + 1 === n || hasDigit(raw[i]!) || hasDigit(raw[j]!)))) return j + 1;
  return i;
}

const NAME_ITEM = /^[A-Za-z_][\w.@-]*$/;

/**
 * 1 for a name (a letter first), 2 for another value with a digit, 0 for
 * anything else; `comma`: the item ends with a comma (else with none, a
 * closing bracket or an end mark allowed), `open`: an opening bracket may lead.
 */
function itemKind(tok: string, open: boolean, comma: boolean): number {
  const a = open ? 1 : 0;
  let b = tok.length;
  if (comma) {
    if (tok.charCodeAt(b - 1) !== 44) return 0;
    b--;
  } else {
    if (tok.charCodeAt(b - 1) === 44) return 0;
    while (b > a && (tok.charCodeAt(b - 1) === 93 || tok.charCodeAt(b - 1) === 41 || tok.charCodeAt(b - 1) === 125 || tok.charCodeAt(b - 1) === 46 || tok.charCodeAt(b - 1) === 59)) b--;
  }
  if (b - a < 1 || b - a > 64) return 0;
  const core = tok.slice(a, b);
  if (NAME_ITEM.test(core)) return 1;
  return hasDigit(core) && !/[\s,]/.test(core) ? 2 : 0;
}

/** A number, clock time, date word, year or zone (with a trailing comma). */
const NUMBER_WORD = /^(?:[-+]?[\d.,:/]*\d[\d.,:/]*|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]{0,6}\.?,?|[+-]\d{4}|UTC|GMT)$/;

/**
 * Appends a token masked. A unit joins the number before it (`12 ms`,
 * `93.0 B,` keeps its comma: without `B` as a unit and with the comma
 * dropped, `size 93.0 B, free 1 KB` and `size 5.2 KB, free 5.2 KB` were two
 * templates). A value wrapped in brackets right after a value is its other
 * form and is dropped (`1190 bytes (1.16 KB)`). A comma-separated list of
 * values collapses to its last one (`1.2.3.4:80, 5.6.7.8:90` is `<*>`, as
 * `1.2.3.4:80` is): lists of different lengths were different templates.
 * Two values separated by a space stay two: collapsing them made `user
 * root 1.2.3.4` (a word, then a value) and `user bob58 1.2.3.5` (two
 * values) different lengths, hence different templates.
 */
function push(p: string, letters: boolean): void {
  // a word of letters only is itself (what maskToken returns for it), unless it is too long for a word
  const m = letters && p.length <= MAX_WORD ? p : maskToken(p);
  if (lastWild) {
    const prev = OUT[count - 1]!;
    if (p.length <= 10 && UNIT.test(p) && isBareWild(prev)) {
      const tail = p.slice(unitEnd(p));
      OUT[count - 1] = prev + (isOpen(prev.charCodeAt(0)) ? tail : tail.replace(/[)\]}]/g, ''));
      return;
    }
    if (prev === WILDCARD && isWrappedWild(m) && (m.charCodeAt(0) === 40 || m.charCodeAt(0) === 91)) return;
    // `-` after a value is the value's no-value mark (an access log's size): `200 -` is `<*>` as `200 512` is
    if (p === '-' && prev === WILDCARD) return;
    if (isListed(prev) && (m === WILDCARD || isWrappedWild(m))) {
      OUT[count - 1] = m;
      RAW[count - 1] = p;
      return;
    }
  }
  if (p.charCodeAt(p.length - 1) === 44) comma = true;
  OUT[count] = m;
  RAW[count] = p;
  count++;
  lastWild = (!letters || m !== p) && m.includes(WILDCARD);
}

/** `<*>,` or `<*>;`: a value with a list separator after it. */
function isListed(t: string): boolean {
  return t.length === 4 && t.startsWith(WILDCARD) && (t.charCodeAt(3) === 44 || t.charCodeAt(3) === 59);
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 11 || c === 12 || c === 13 || c === 160;

/** True for `<*>` with only brackets around it: `<*>`, `(<*>`, `[<*>`. */
function isBareWild(t: string): boolean {
  const i = t.indexOf(WILDCARD);
  return i >= 0 && i + 3 === t.length && (i === 0 || (i === 1 && isOpen(t.charCodeAt(0))));
}

/** `(<*>)`, `[<*>]`, `<*>,`: a masked value with only punctuation around it. */
function isWrappedWild(t: string): boolean {
  const i = t.indexOf(WILDCARD);
  if (i < 0 || i > 1) return false;
  if (i === 1 && !isOpen(t.charCodeAt(0))) return false;
  for (let j = i + 3; j < t.length; j++) if (!isClose(t.charCodeAt(j))) return false;
  return true;
}

function unitEnd(p: string): number {
  let i = 0;
  while (i < p.length && !isClose(p.charCodeAt(i))) i++;
  return i;
}

/** Month and weekday names next to a masked number are part of a date: `<*>`. */
function maskDates(toks: string[], n: number): void {
  for (let i = 0; i < n; i++) {
    const t = toks[i]!;
    if (t.length < 3 || t.charCodeAt(0) < 65 || t.charCodeAt(0) > 90 || !MONTH_DAY.test(t)) continue;
    const next = i + 1 < n ? toks[i + 1]! : undefined;
    if (next === WILDCARD || (i > 0 && toks[i - 1] === WILDCARD) || (next !== undefined && MONTH_DAY.test(next))) toks[i] = WILDCARD;
  }
}

/** Longer words are values (base64, blobs, minified data), not words of a message. */
export const MAX_WORD = 256;

/** One token with its variable part masked. */
export function maskToken(tok: string): string {
  if (tok.length > MAX_WORD) return WILDCARD;
  if (!needsLook(tok)) return maskWord(tok);
  let a = 0;
  let b = tok.length;
  while (a < b && isOpen(tok.charCodeAt(a))) a++;
  while (b > a && isClose(tok.charCodeAt(b - 1))) b--;
  if (a === b) return tok;
  const core = tok.slice(a, b);
  const masked = maskCore(core);
  if (masked === core) return tok;
  return tok.slice(0, a) + masked + tok.slice(b);
}

function maskCore(core: string): string {
  if (core === WILDCARD) return core;
  if (core.includes('://')) return WILDCARD;
  const c0 = core.charCodeAt(0);
  if (c0 === 47 /* / */ && core.length > 1) return WILDCARD;
  if ((c0 === 46 || c0 === 126) && core.charCodeAt(1) === 47) return WILDCARD;
  if (isLetter(c0) && core.charCodeAt(1) === 58 && core.charCodeAt(2) === 92) return WILDCARD; // C:\path
  const eq = core.indexOf('=');
  if (eq > 0) {
    const v = core.slice(eq + 1);
    if (v.length === 0) return core;
    // a key's value is a value, words too (`user=dave`): a quoted one is left to the quoted rule, `==` and `=>` are operators
    const c = v.charCodeAt(0);
    if (c !== 34 && c !== 39 && c !== 61 && c !== 62 && isKey(core, eq)) return core.slice(0, eq + 1) + WILDCARD;
    return core.slice(0, eq + 1) + maskCore(v);
  }
  if (!hasDigit(core) || (isUpper(c0) && ACRONYM.test(core))) return core;
  const key = keyBeforeColon(core);
  return key > 0 ? core.slice(0, key + 1) + WILDCARD : WILDCARD;
}

/** `core[0, eq)` is a key: letters, digits, `_`, `-`, `.`, a letter or `_` first. */
function isKey(core: string, eq: number): boolean {
  const c0 = core.charCodeAt(0);
  if (!isLetter(c0) && c0 !== 95) return false;
  for (let i = 1; i < eq; i++) {
    const c = core.charCodeAt(i);
    if (!isLetter(c) && !(c >= 48 && c <= 57) && c !== 95 && c !== 45 && c !== 46) return false;
  }
  return true;
}

/** For `key:value` with a plain word as key (letters, `_`, `-`; a letter or `_` first), the index of the colon, else -1. */
function keyBeforeColon(core: string): number {
  const c0 = core.charCodeAt(0);
  if (!isLetter(c0) && c0 !== 95) return -1;
  for (let i = 1; i < core.length; i++) {
    const c = core.charCodeAt(i);
    if (c === 58) return i + 1 < core.length ? i : -1;
    if (!isLetter(c) && c !== 95 && c !== 45) return -1;
  }
  return -1;
}

const isUpper = (c: number) => c >= 65 && c <= 90;
const isLetter = (c: number) => isUpper(c) || (c >= 97 && c <= 122);

/** Tokens without digits or `/`, `=`, `:`: host names and empty `()` are variables, the rest are words. */
function maskWord(tok: string): string {
  if (tok.length < 2) return tok;
  const c = tok.charCodeAt(0);
  // an empty value keeps its brackets (`()` is `(<*>)`), so it reads as the bracketed value it stands for
  if ((c === 40 || c === 91 || c === 123 || c === 34 || c === 39) && EMPTY.test(tok)) return tok.length > 2 || c === 34 || c === 39 ? WILDCARD : tok[0] + WILDCARD + tok[1];
  if (tok.indexOf('.') <= 0) return tok;
  let a = 0;
  while (a < tok.length && isOpen(tok.charCodeAt(a))) a++;
  let b = tok.length;
  while (b > a && isClose(tok.charCodeAt(b - 1))) b--;
  return HOST.test(tok.slice(a, b)) ? tok.slice(0, a) + WILDCARD + tok.slice(b) : tok;
}

/** Cheap pre-check: only tokens with a digit, `/`, `=`, `:` or `<` can change. */
function needsLook(tok: string): boolean {
  for (let i = 0; i < tok.length; i++) {
    const c = tok.charCodeAt(i);
    if ((c >= 48 && c <= 58) || c === 47 || c === 61) return true;
  }
  return false;
}

export function hasDigit(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

// ( [ { < ' "
const isOpen = (c: number) => c === 40 || c === 91 || c === 123 || c === 39 || c === 34;
// ) ] } > , ; . : ! ? ' "
const isClose = (c: number) => c === 41 || c === 93 || c === 125 || c === 44 || c === 59 || c === 46 || c === 58 || c === 33 || c === 63 || c === 39 || c === 34;
