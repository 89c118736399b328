import { describe, expect, it } from 'vitest';
import { LogAnalytics, minuteOf } from '../../src/core/logs/analytics.js';
import { keepLine, parseLevel, parseRegex } from '../../src/core/logs/filter.js';
import type { Target } from '../../src/core/engine/select.js';

const A = { id: 'a'.repeat(64), name: 'a' } as unknown as Target;
const B = { id: 'b'.repeat(64), name: 'b', project: 'p', service: 's' } as unknown as Target;
const at = (hhmm: string, s = '00') => `2026-11-22T${hhmm}:${s}.000000000Z`;

describe('LogAnalytics', () => {
  it('counts per container and per minute', () => {
    const a = new LogAnalytics();
    a.add(A, at('10:00'), 'ERROR');
    a.add(A, at('10:00', '59'), 'INFO');
    a.add(B, at('10:02'), 'WARN');
    a.add(B, at('10:01'), 'OTHER'); // late line lands in its own minute
    const recs = a.records('T');
    expect(recs[0]).toEqual({ type: 'summary', ts: 'T', scope: 'container', id: A.id, name: 'a', lines: 2, counts: { ERROR: 1, WARN: 0, INFO: 1, DEBUG: 0, OTHER: 0 } });
    expect(recs[1]).toMatchObject({ scope: 'container', name: 'b', project: 'p', service: 's', lines: 2 });
    expect(recs[2]!.series).toEqual([
      { minute: '2026-11-22T10:00:00Z', ERROR: 1, WARN: 0, INFO: 1, DEBUG: 0, OTHER: 0 },
      { minute: '2026-11-22T10:01:00Z', ERROR: 0, WARN: 0, INFO: 0, DEBUG: 0, OTHER: 1 },
      { minute: '2026-11-22T10:02:00Z', ERROR: 0, WARN: 1, INFO: 0, DEBUG: 0, OTHER: 0 },
    ]);
    expect(recs[2]).toMatchObject({ scope: 'all', lines: 4, counts: { ERROR: 1, WARN: 1, INFO: 1, DEBUG: 0, OTHER: 1 } });
  });

  it('keeps 60 contiguous minutes; older lines count per container only', () => {
    const a = new LogAnalytics();
    a.add(A, at('10:00'), 'INFO');
    a.add(A, at('12:00'), 'INFO'); // two hours later: only the last 60 minutes remain
    a.add(A, at('10:30'), 'ERROR'); // too old for the series
    expect(a.series.size).toBe(60);
    expect(a.series.at(0)!.minute).toBe(minuteOf(at('11:01')));
    const all = a.records('T').at(-1)!;
    expect(all.series!.reduce((n, b) => n + b.INFO + b.ERROR, 0)).toBe(1);
    expect(all.counts.ERROR).toBe(1);
  });
});

describe('line filters', () => {
  it.each([
    [{ minLevel: 'WARN' as const }, 'x', 'ERROR', true],
    [{ minLevel: 'WARN' as const }, 'x', 'WARN', true],
    [{ minLevel: 'WARN' as const }, 'x', 'INFO', false],
    [{ minLevel: 'DEBUG' as const }, 'x', 'OTHER', false],
    [{ minLevel: 'OTHER' as const }, 'x', 'OTHER', true],
    [{ grep: /time?out/ }, 'a timeout', 'OTHER', true],
    [{ grep: /time?out/ }, 'fine', 'OTHER', false],
    [{ exclude: /health/ }, 'GET /health', 'INFO', false],
    [{ exclude: /health/ }, 'GET /', 'INFO', true],
  ] as const)('%o on %j (%s) -> %s', (f, msg, level, keep) => {
    expect(keepLine(f, msg, level)).toBe(keep);
  });

  it('parses levels and rejects bad values naming the flag', () => {
    expect(parseLevel('warning')).toBe('WARN');
    expect(parseLevel('Error')).toBe('ERROR');
    expect(() => parseLevel('loud')).toThrow('--level: expected one of error, warn, info, debug, other (got: "loud")');
    expect(() => parseRegex('(', '--grep')).toThrow(/^--grep: not a valid regular expression/);
  });
});
