/**
 * Tiny typed parsers for flag values. Each throws a usage error of the form
 * "--flag: expected X (got: Y)" so the message points at the flag.
 */
import { usageError } from './errors.js';

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses Go-style durations ("1h30m", "10s", "250ms", "1.5h"); a bare number is seconds. */
export function parseDurationMs(text: string, flag = 'duration'): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== s.length) {
    throw usageError(`${flag}: expected a duration like 10s, 5m, 1h30m (got: ${JSON.stringify(text)})`);
  }
  return total;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** A size in bytes with binary units: `512`, `64k`, `1.5m`, `1MiB`, `2g`; undefined when it is not one. */
export function sizeBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : undefined;
}

/** A size in bytes as a person writes it, the inverse of sizeBytes: 16777216 -> `16m`, 1536 -> `1.5k`, 100 -> `100`. */
export function sizeText(bytes: number): string {
  for (const [unit, n] of [
    ['g', 1024 ** 3],
    ['m', 1024 ** 2],
    ['k', 1024],
  ] as const) {
    const v = bytes / n;
    if (v >= 1 && Number.isInteger(v * 10)) return `${v}${unit}`;
  }
  return String(bytes);
}

/** A size flag: `512`, `64k`, `1m`, `1MiB` (binary units), one parser for every size berth takes. */
export function parseSize(text: string, flag: string, opts: { min?: number } = {}): number {
  const n = sizeBytes(text);
  if (n === undefined) throw usageError(`${flag}: expected a size like 512, 64k, 1m (got: ${JSON.stringify(text)})`);
  if (opts.min !== undefined && n < opts.min) throw usageError(`${flag}: expected a size of at least ${opts.min} bytes (got: ${JSON.stringify(text)})`);
  return n;
}

export function parseInteger(text: string, flag: string, opts: { min?: number; max?: number } = {}): number {
  const s = text.trim();
  const n = Number(s);
  if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(n)) {
    throw usageError(`${flag}: expected a whole number (got: ${JSON.stringify(text)})`);
  }
  if (opts.min !== undefined && n < opts.min) throw usageError(`${flag}: expected a number >= ${opts.min} (got: ${n})`);
  if (opts.max !== undefined && n > opts.max) throw usageError(`${flag}: expected a number <= ${opts.max} (got: ${n})`);
  return n;
}

/** `--tail`: lines from the end, or undefined for all of them ("all", or a negative number as docker logs takes it). */
export function parseTail(text: string, flag = '--tail'): number | undefined {
  if (text.trim().toLowerCase() === 'all') return undefined;
  const n = parseInteger(text, flag);
  return n < 0 ? undefined : n;
}

/** A point in time as nanoseconds since the epoch, as a bigint (the engine's timeNano). */
export type Nanos = bigint;

/**
 * Parses a `--since`/`--until` value the way the docker CLI does: a duration
 * relative to now ("10m"), an RFC 3339 timestamp (with optional fraction and
 * zone), a date, or a Unix timestamp with an optional fraction ("1700000000.5").
 */
export function parseTimePoint(text: string, flag: string, nowMs = Date.now()): Nanos {
  const s = text.trim();
  if (/^\d+(\.\d{1,9})?$/.test(s)) {
    const [sec, frac = ''] = s.split('.');
    return BigInt(sec!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));
  }
  if (/^\d/.test(s) && /[a-zµ]$/.test(s) && !s.includes('-')) {
    const ms = parseDurationMs(s, flag);
    return BigInt(Math.round((nowMs - ms) * 1e6));
  }
  const ns = parseRfc3339Nanos(s);
  if (ns === undefined) {
    throw usageError(`${flag}: expected a duration (10m), an RFC 3339 time (2026-01-02T15:04:05Z) or a Unix timestamp (got: ${JSON.stringify(text)})`);
  }
  return ns;
}

/** RFC 3339 (or a plain date / date-time without zone, read as local time as docker does) to nanoseconds. */
export function parseRfc3339Nanos(s: string): Nanos | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return undefined;
  const [, date, time = '00:00:00', frac = '', zone] = m;
  const iso = `${date}T${time.length === 5 ? time + ':00' : time}${zone ? (zone.toUpperCase() === 'Z' ? 'Z' : zone) : ''}`;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
}

/** Nanoseconds since the epoch as the engine's `since`/`until` query value: "seconds.nanoseconds". */
export function nanosToEngineTime(ns: Nanos): string {
  const sec = ns / 1_000_000_000n;
  const frac = ns % 1_000_000_000n;
  return `${sec}.${frac.toString().padStart(9, '0')}`;
}

/** Nanoseconds since the epoch as RFC 3339 with nine fraction digits, UTC. */
export function nanosToRfc3339(ns: Nanos): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().slice(0, 19) + '.' + frac + 'Z';
}

/** Length of berth's record time form, "2026-11-22T10:51:02.123456789Z": UTC, nine fraction digits (it sorts as text). */
export const FIXED_TS_LEN = 30;

export function isFixedTs(s: string): boolean {
  return s.length === FIXED_TS_LEN && s.charCodeAt(29) === 90 /* Z */ && s.charCodeAt(19) === 46 /* . */ && s.charCodeAt(10) === 84; /* T */
}

/**
 * The fixed form of an RFC 3339 time, or undefined when it is not one. The engine trims trailing zeros
 * ("…:05.7535649Z"): that UTC case is padded without parsing; another zone is parsed once.
 */
export function normalizeTs(s: string): string | undefined {
  if (isFixedTs(s)) return s;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (m) return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z`;
  const ns = parseRfc3339Nanos(s);
  return ns === undefined ? undefined : nanosToRfc3339(ns);
}

/** A time in the fixed form for a record's `ts`; text that is not a time comes back unchanged. */
export function fixedRfc3339(s: string): string {
  return normalizeTs(s) ?? s;
}

/**
 * A fixed-form UTC time ("…T16:01:00.952824574Z") in the local zone, as the docker CLI prints times for
 * people ("…T17:01:00.952824574+01:00"; "Z" where the local offset is zero).
 */
export function localRfc3339(ts: string): string {
  const ms = Date.parse(ts.slice(0, 19) + 'Z');
  if (Number.isNaN(ms)) return ts;
  const offsetMin = -new Date(ms).getTimezoneOffset();
  if (offsetMin === 0) return ts;
  const abs = Math.abs(offsetMin);
  const zone = `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19) + ts.slice(19, ts.length - 1) + zone;
}

/** `key=value` as docker's --filter takes it. */
export function parseKeyValue(text: string, flag: string): [string, string] {
  const i = text.indexOf('=');
  if (i <= 0) throw usageError(`${flag}: expected key=value (got: ${JSON.stringify(text)})`);
  return [text.slice(0, i).trim(), text.slice(i + 1)];
}

/** Collects repeated `--filter key=value` flags into docker's filter map (same key = OR, different keys = AND). */
export function collectFilters(values: readonly string[], flag = '--filter'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of values) {
    const [k, val] = parseKeyValue(v, flag);
    (out[k] ??= []).push(val);
  }
  return out;
}

export function oneOf<T extends string>(text: string, flag: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw usageError(`${flag}: expected one of ${choices.join(', ')} (got: ${JSON.stringify(text)})`);
}

/** A duration in ms as berth prints it: whole seconds as `5s`, else one decimal (`2.5s`). */
export const fmtMs = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`);
