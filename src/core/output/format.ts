/**
 * Output format: NDJSON when stdout is not a TTY or with --format json /
 * --json, a table or live view on a TTY, raw text where a command supports it.
 */
import { usageError } from '../errors.js';
import { oneOf } from '../parse.js';

export type Format = 'json' | 'table' | 'raw';

export function pickFormat(opts: { format?: string; json?: boolean }, isTTY: boolean, supported: readonly Format[] = ['json', 'table']): Format {
  if (opts.json && opts.format && opts.format !== 'json') throw usageError(`--json conflicts with --format ${opts.format}`);
  const f = opts.json ? 'json' : opts.format ? oneOf(opts.format, '--format', ['json', 'table', 'raw'] as const) : isTTY ? 'table' : 'json';
  if (!supported.includes(f)) throw usageError(`--format: this command supports ${supported.join(', ')} (got: ${JSON.stringify(f)})`);
  return f;
}

/**
 * A terminal's size for live views. Some terminals (a fresh `docker exec -t`, serial consoles) report
 * 0 columns or rows, or none: those get 80x24, so a view is never drawn zero characters wide.
 */
export function terminalSize(out: { columns?: number; rows?: number }, fallback = { columns: 80, rows: 24 }): { columns: number; rows: number } {
  return { columns: out.columns || fallback.columns, rows: out.rows || fallback.rows };
}
