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
