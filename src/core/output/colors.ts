/**
 * Colour decision, honouring NO_COLOR (any non-empty value disables) and
 * FORCE_COLOR (0 disables, 1-3 force a level), else colour on a TTY only.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function colorLevel(env: Record<string, string | undefined>, isTTY: boolean): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return (n >= 1 && n <= 3 ? n : 1) as 1 | 2 | 3;
  }
  if (env.NO_COLOR) return 0;
  if (!isTTY || env.TERM === 'dumb') return 0;
  return env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? 3 : 2;
}

export function makeChalk(env: Record<string, string | undefined>, isTTY: boolean): ChalkInstance {
  return new Chalk({ level: colorLevel(env, isTTY) });
}
