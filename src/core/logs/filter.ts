/**
 * The line filters of `berth logs`: --level (minimum severity), --grep and
 * --exclude (regular expressions on the message). Pure; the severity of each
 * line is detected once and handed on with it.
 */
import { usageError } from '../errors.js';
import { LEVEL_RANK, LEVELS, type Level } from './severity.js';

export interface LineFilter {
  minLevel?: Level;
  grep?: RegExp;
  exclude?: RegExp;
}

export function parseLevel(text: string, flag = '--level'): Level {
  const up = text.trim().toUpperCase();
  const l = (up === 'WARNING' ? 'WARN' : up) as Level;
  if (LEVELS.includes(l)) return l;
  throw usageError(`${flag}: expected one of ${LEVELS.map((x) => x.toLowerCase()).join(', ')} (got: ${JSON.stringify(text)})`);
}

export function parseRegex(text: string, flag: string): RegExp {
  try {
    return new RegExp(text);
  } catch (err) {
    throw usageError(`${flag}: not a valid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

export function keepLine(f: LineFilter, msg: string, level: Level): boolean {
  if (f.minLevel !== undefined && LEVEL_RANK[level] < LEVEL_RANK[f.minLevel]) return false;
  if (f.grep !== undefined && !f.grep.test(msg)) return false;
  if (f.exclude !== undefined && f.exclude.test(msg)) return false;
  return true;
}
