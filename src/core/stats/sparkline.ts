/**
 * Unicode sparklines: one block character (▁ to █) per value, the last
 * `width` values, scaled from 0 to the largest shown (or to `max` when given,
 * e.g. 100 for a percentage of one CPU). Shorter series are padded on the left.
 */
const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(values: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const top = Math.max(max ?? 0, ...shown, 0);
  const chars = shown.map((v) => BARS[top > 0 ? Math.min(BARS.length - 1, Math.max(0, Math.round((v / top) * (BARS.length - 1)))) : 0]);
  return ' '.repeat(width - shown.length) + chars.join('');
}
