/**
 * The engine's log timestamps. With `timestamps=true` docker prefixes every
 * log message with RFC 3339 in UTC with exactly nine fraction digits
 * ("2026-11-22T10:51:02.123456789Z "). That fixed form sorts as text in time
 * order, so berth keeps timestamps as these strings and compares them with
 * `<`: no number parsing per line. Anything else (another zone, fewer digits)
 * is normalised to the fixed form once, on the slow path.
 */
import { nanosToRfc3339, type Nanos } from '../parse.js';

export { FIXED_TS_LEN, isFixedTs, normalizeTs } from '../parse.js';

/** Fixed-form timestamp to nanoseconds since the epoch. */
export function tsToNanos(ts: string): Nanos {
  return BigInt(Date.parse(ts.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(ts.slice(20, 29));
}

export function nowTs(): string {
  return nanosToRfc3339(BigInt(Date.now()) * 1_000_000n);
}
