/**
 * Rates from cumulative counters: (current - previous) / elapsed seconds.
 * A counter that went backwards means the container restarted (the kernel's
 * counters began again at zero): that is a reset of the series, never a
 * negative rate.
 */

/** Bytes per second between two cumulative readings; undefined without a usable interval or when the counter went back. */
export function perSecond(prev: number, cur: number, elapsedMs: number): number | undefined {
  if (!(elapsedMs > 0) || cur < prev) return undefined;
  return ((cur - prev) * 1000) / elapsedMs;
}

/** True when any counter in `cur` is below the same counter in `prev` (a restart). */
export function wentBackwards(prev: readonly number[], cur: readonly number[]): boolean {
  return cur.some((v, i) => v < (prev[i] ?? 0));
}
