/**
 * A header learned from the stream, per source: the leading columns whose
 * values behave like a header across the first SAMPLE lines, found by
 * token-position statistics instead of a list of formats. header.ts's
 * per-line rules stay as the fast path (and the fallback); the learned
 * header adds the columns those rules do not know, so a format that is on
 * no list is still stripped. Without it, the tokens of an unknown header
 * (an Erlang pid `<0.123.0>`, `[Note] [MY-010914] [Server]`, a client
 * address before a bracketed time) stayed in the message, and messages
 * that differ only in their first words merged or split by accident.
 *
 * Columns (whitespace-separated, a balanced `[...]` being one) are given a
 * class: time, level, bracket (`[...]`, `<...>`, `(...)`), separator, pipe, `tag:`, `logger.name:`,
 * number, mixed (letters and digits: ids, pids), word, marker (one symbol or
 * upper-case letter, of a small set over the sample: see MARKER_VALUES), other. A column's
 * class is the one most of the sample's lines (SHARE) have there. Then:
 * - the anchor is the last of the first columns that is a time or a level
 *   in SHARE of the lines; every column before it is header (hosts,
 *   addresses, `-`), at most MAX_BEFORE of them;
 * - after the anchor, the header goes on while columns are consistently
 *   (STRICT) a level, bracket, separator, tag, logger, number, mixed id or marker;
 *   a word column goes too when a separator column follows it (`name -`,
 *   `logger :`) or when it has one value in SHARE of the lines (a host) and
 *   a header column follows.
 * With no anchor there is no learned header. On a line, the learned header
 * applies when the line's anchor column is of the anchor's class; it then
 * ends at the first column whose class differs from the learned one. It is
 * never the whole line. A source whose lines stop fitting (more than half
 * of the last WINDOW lines) is sampled again and the header re-learned.
 */
import { COLUMNS, KINDS, Kind, scanColumns } from './message-start.js';

export const SAMPLE = 48;
const SHARE = 0.8;
/**
 * Columns after the anchor need to be more consistent: a header of varying
 * length (an optional field) shifts the columns after it, and a column
 * taken as header in most lines but not in the others split their events.
 */
const STRICT = 0.95;
const MAX_BEFORE = 6;
const WINDOW = 128;

/** Columns after the anchor that are header when consistent. */
const AFTER = new Set<Kind>([Kind.Ts, Kind.Level, Kind.Bracket, Kind.Sep, Kind.Pipe, Kind.Tag, Kind.Logger, Kind.Num, Kind.Mixed, Kind.Marker]);

/**
 * A marker column (one symbol or upper-case letter per line: a level as
 * `*`/`#`/`-`/`.` or `I`/`W`/`E`) is header when it takes at most this many
 * values over the sample: a small set, as a level scale is. A `-` there is
 * a marker too (the scanner takes it for a separator), so `*` lines and `-`
 * lines have the same header. Before, the marker stayed in the message and
 * one event logged at two levels was two templates.
 */
const MARKER_VALUES = 8;

const st = new Int32Array(COLUMNS);
const en = new Int32Array(COLUMNS);
const kd = new Int8Array(COLUMNS);

/** The classes of a line's first columns. */
export interface Sample {
  line: string;
  classes: Kind[];
  starts: number[];
  words: string[];
}

export function columnClasses(line: string): Sample {
  const n = scanColumns(line, st, en, kd);
  const classes: Kind[] = [];
  const starts: number[] = [];
  const words: string[] = [];
  for (let k = 0; k < n; k++) {
    classes.push(classOf(line, st[k]!, en[k]!, kd[k] as Kind));
    starts.push(st[k]!);
    words.push(line.slice(st[k], en[k]));
  }
  return { line, classes, starts, words };
}

function classOf(line: string, a: number, b: number, kind: Kind): Kind {
  // a short number next to a time is taken as a day or year by the scanner; as a column it is a number (a thread id `0` or `8`)
  if (kind === Kind.Ts && b - a <= 4 && isDigits(line, a, b)) return Kind.Num;
  if (kind === Kind.Level) return line.charCodeAt(a) === 91 ? Kind.Bracket : Kind.Level;
  if (kind !== Kind.Other) return kind; // the scanner's own kinds: time, separator, pipe, tag, logger, bracket
  const c0 = line.charCodeAt(a);
  const cz = line.charCodeAt(b - 1);
  if (b - a > 2 && ((c0 === 60 && cz === 62) || (c0 === 40 && cz === 41))) return Kind.Bracket; // <0.123.0>, (main)
  if (b - a === 1 && !(c0 >= 48 && c0 <= 57) && !(c0 >= 97 && c0 <= 122)) return Kind.Marker; // `*`, `#`, `.`, `I`
  if (isDottedName(line, a, b)) return Kind.Logger; // `app.db.pool`, `c.e.s.OrderService`: a logger name without its colon
  let digits = 0;
  let letters = 0;
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) letters++;
  }
  if (digits === b - a) return Kind.Num;
  if (digits > 0) return Kind.Mixed;
  if (letters === b - a) return Kind.Word;
  return Kind.Other;
}

/**
 * A dotted name: two parts or more of letters and `_` (a letter or `_`
 * first in each, `$` inside), as loggers are named (`app.db.pool`,
 * `o.e.s.OrderService`). Digits are left out, so versions, addresses and
 * dotted host names with numbers are not names. As a column it is a
 * logger: before, written without a colon it was a word or `other`, never
 * header, and a service's logger name and request context stayed in every
 * message.
 */
function isDottedName(line: string, a: number, b: number): boolean {
  let dots = 0;
  let partStart = true;
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i);
    if (c === 46) {
      if (partStart) return false;
      dots++;
      partStart = true;
    } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (!partStart && c === 36)) partStart = false;
    else return false;
  }
  return dots > 0 && !partStart;
}

function isDigits(line: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = line.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** What was learned: the header's classes, column by column (the anchor's included), and where the anchor is. */
export interface HeaderSpec {
  classes: Kind[];
  anchor: number;
  /** A component name of 1 to COMPONENT_WORDS words and a colon follows the header (see componentEnd). */
  component?: boolean;
}

/**
 * A component name after a level (`L Foo: msg`, `L Foo.Bar: msg`, `L foo bar
 * baz: msg`): at most this many words, the last ending with `:`. When most
 * sample lines (SHARE) whose header ends in a level or marker have one, it
 * is header on every line that has one. Its length varies from line to
 * line, so no column position holds it: before, one component's lines
 * learned it as message (a template per component and level) while the
 * fixed-column header split lines by their components' word counts.
 */
const COMPONENT_WORDS = 3;

/** The column of the colon that ends a component name starting at column `from`, or -1 (see COMPONENT_WORDS). */
function componentEnd(line: string, starts: ArrayLike<number>, ends: ArrayLike<number>, from: number, n: number): number {
  for (let k = from; k < from + COMPONENT_WORDS && k < n; k++) {
    const a = starts[k]!;
    const b = ends[k]!;
    if (k === from && !isLetterAt(line, a)) return -1;
    const colon = line.charCodeAt(b - 1) === 58;
    if (colon && b - a === 1) return k > from ? k : -1; // `chatty :`
    for (let i = a; i < (colon ? b - 1 : b); i++) {
      const c = line.charCodeAt(i);
      if (!(isLetterAt(line, i) || (c >= 48 && c <= 57) || c === 46 || c === 95 || c === 45 || c === 47 || c === 36)) return -1;
    }
    if (colon) return k;
  }
  return -1;
}

const isLetterAt = (line: string, i: number) => {
  const c = line.charCodeAt(i);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
};

/** Learns the header from sample lines' columns; undefined when they have no consistent time or level column. */
export function learnHeader(samples: Sample[]): HeaderSpec | undefined {
  if (samples.length === 0) return undefined;
  const dominant: Kind[] = [];
  const share: number[] = [];
  const constant: boolean[] = [];
  const few: boolean[] = [];
  for (let c = 0; c < COLUMNS; c++) {
    const counts = new Array<number>(KINDS).fill(0);
    const values = new Map<string, number>();
    for (const s of samples) {
      counts[s.classes[c] ?? Kind.Missing]!++;
      const w = s.words[c];
      if (w !== undefined) values.set(w, (values.get(w) ?? 0) + 1);
    }
    if (counts[Kind.Marker]! > 0) {
      counts[Kind.Marker]! += counts[Kind.Sep]!;
      counts[Kind.Sep] = 0;
    }
    few.push(values.size <= MARKER_VALUES);
    let best = 0;
    for (let k = 1; k < KINDS; k++) if (counts[k]! > counts[best]!) best = k;
    dominant.push(best as Kind);
    share.push(counts[best]! / samples.length);
    constant.push(Math.max(0, ...values.values()) / samples.length >= SHARE);
  }
  const consistent = (c: number, cls?: Kind) => share[c]! >= SHARE && (cls === undefined || dominant[c] === cls);
  let anchor = -1;
  for (let c = 0; c <= MAX_BEFORE && c < COLUMNS; c++) {
    if (consistent(c, Kind.Ts) || consistent(c, Kind.Level)) anchor = c;
  }
  if (anchor < 0) return undefined;
  const classes = dominant.slice(0, anchor + 1);
  for (let c = anchor + 1; c < COLUMNS - 1; c++) {
    if (share[c]! < STRICT) break;
    const d = dominant[c]!;
    if (d === Kind.Marker && !few[c]) break;
    // a number or id right before the message may be its first word (`host:5070 open ...`): header only before more header,
    // past a run of them (`pid tid L`: the run is header when a header column ends it)
    if (d === Kind.Num || d === Kind.Mixed) {
      let e = c + 1;
      while (e < COLUMNS - 1 && share[e]! >= STRICT && (dominant[e] === Kind.Num || dominant[e] === Kind.Mixed)) e++;
      if (!(share[e]! >= STRICT && AFTER.has(dominant[e]!) && (dominant[e] !== Kind.Marker || few[e]))) break;
    }
    if (AFTER.has(d)) classes.push(d);
    else if ((d === Kind.Word || d === Kind.Other) && consistent(c + 1, Kind.Sep)) {
      classes.push(d, Kind.Sep);
      c++;
    } else if (d === Kind.Word && constant[c] && consistent(c + 1) && AFTER.has(dominant[c + 1]!)) classes.push(d);
    else break;
  }
  const last = classes[classes.length - 1];
  if (last !== Kind.Level && last !== Kind.Marker) return { classes, anchor };
  let named = 0;
  for (const smp of samples) {
    const ends = smp.starts.map((a, k) => a + smp.words[k]!.length);
    if (componentEnd(smp.line, smp.starts, ends, classes.length, smp.words.length) >= 0) named++;
  }
  return named >= SHARE * samples.length ? { classes, anchor, component: true } : { classes, anchor };
}

/** Where the message starts by the learned header, or -1 when the line does not fit it (its anchor column is not of the anchor's class). */
export function learnedStart(line: string, spec: HeaderSpec): number {
  const n = scanColumns(line, st, en, kd);
  const a = spec.anchor;
  if (n <= a + 1 || classOf(line, st[a]!, en[a]!, kd[a] as Kind) !== spec.classes[a]) return -1;
  let c = a + 1;
  for (; c < spec.classes.length && c < n - 1; c++) {
    const want = spec.classes[c]!;
    const got = classOf(line, st[c]!, en[c]!, kd[c] as Kind);
    if (got !== want && !(want === Kind.Word && got === Kind.Mixed) && !(want === Kind.Marker && got === Kind.Sep)) break;
  }
  if (spec.component && c === spec.classes.length) {
    const k = componentEnd(line, st, en, c, n);
    if (k >= 0 && k + 1 < n) return st[k + 1]!;
  }
  return st[c]!;
}

/**
 * One source's learner: samples its first lines, then gives each line's
 * learned message start; re-samples (while the old header still serves)
 * when more than half of the last `window` lines did not fit it. A source
 * with no learned header is re-sampled the same way, with the window
 * doubling each time nothing is found (at most MAX_WINDOW lines), so a
 * header-less log pays for sampling less and less.
 */
const MAX_WINDOW = 65_536;

export class HeaderLearner {
  spec: HeaderSpec | undefined;
  /** True until the first SAMPLE lines are in (or `settle()`): lines wait for the header. */
  learning = true;
  private samples: Sample[] = [];
  private resampling = false;
  private seen = 0;
  private misses = 0;
  private window = WINDOW;

  /** Takes a sample line while learning; true when the header was just learned. */
  sample(line: string): boolean {
    this.samples.push(columnClasses(line));
    if (this.samples.length < SAMPLE) return false;
    this.settle();
    return true;
  }

  /** Learns from the lines sampled so far. */
  settle(): void {
    const before = this.spec;
    this.spec = learnHeader(this.samples);
    this.window = !this.learning && !this.spec && !before ? Math.min(MAX_WINDOW, this.window * 2) : WINDOW;
    this.samples = [];
    this.learning = this.resampling = false;
    this.seen = this.misses = 0;
  }

  /** The message start by the learned header (0 when there is none or the line does not fit). */
  start(line: string): number {
    if (this.resampling) this.sample(line);
    const at = this.spec ? learnedStart(line, this.spec) : -1;
    if (at < 0) this.misses++;
    if (++this.seen >= this.window) {
      if (this.misses * 2 > this.seen) this.resampling = true;
      this.seen = this.misses = 0;
    }
    return at < 0 ? 0 : at;
  }
}
