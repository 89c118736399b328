/**
 * Unicode sparklines: one block character (▁ to █) per value, the last
 * `width` values, padded on the left when fewer. Scaled from 0 to the largest
 * value shown (rates, CPU: an idle series stays low), or with `fromMin` from
 * the smallest to the largest shown (levels such as memory, whose changes are
 * small against their size). A flat series draws at the bottom.
 */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width: number, opts: { max?: number; fromMin?: boolean } = {}): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const lo = opts.fromMin && shown.length ? Math.min(...shown) : 0;
  const hi = Math.max(opts.max ?? 0, ...shown, lo);
  const span = hi - lo;
  const level = (v: number) => (span > 0 ? Math.min(BARS.length - 1, Math.max(0, Math.round(((v - lo) / span) * (BARS.length - 1)))) : 0);
  return ' '.repeat(width - shown.length) + shown.map((v) => BARS[level(v)]).join('');
}
