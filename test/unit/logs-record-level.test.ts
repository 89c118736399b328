import { describe, expect, it } from 'vitest';
import { RecordLevels } from '../../src/core/logs/record-level.js';
import { detectLevel } from '../../src/core/logs/severity.js';

const levels = (lines: string[], key = 'c1/stderr') => {
  const r = new RecordLevels();
  return lines.map((l) => r.level(key, l));
};

describe('levels of multi-line records (stack traces)', () => {
  it('a Java trace takes the level of the line it continues', () => {
    expect(
      levels([
        '2026-01-02 10:00:00.123 ERROR [main] c.e.OrderService - order 17 failed',
        'java.lang.IllegalStateException: stock is gone',
        '\tat com.example.Stock.take(Stock.java:41)',
        '\tat com.example.OrderService.place(OrderService.java:88)',
        'Caused by: java.io.IOException: pipe closed',
        '\t... 12 common frames omitted',
        '2026-01-02 10:00:01.000 INFO [main] c.e.OrderService - order 18 placed',
      ]),
    ).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'INFO']);
  });

  it('an uncaught Python traceback is an ERROR record, also after an INFO line; one logged as a warning stays WARN', () => {
    expect(levels(['INFO:app:serving', 'Traceback (most recent call last):', '  File "a.py", line 1, in <module>', "KeyError: 'x'"])).toEqual(['INFO', 'ERROR', 'ERROR', 'ERROR']);
    expect(levels(['Traceback (most recent call last):', '  File "/srv/app.py", line 12, in <module>', '    main()', 'ZeroDivisionError: division by zero', 'starting over'])).toEqual([
      'ERROR',
      'ERROR',
      'ERROR',
      'ERROR',
      'OTHER',
    ]);
    expect(levels(['WARNING:root:retrying the upload', 'Traceback (most recent call last):', '  File "up.py", line 3, in send', 'TimeoutError: timed out'])).toEqual(['WARN', 'WARN', 'WARN', 'WARN']);
  });

  it('records of different containers and streams do not continue each other', () => {
    const r = new RecordLevels();
    expect(r.level('a/stdout', 'ERROR boom')).toBe('ERROR');
    expect(r.level('b/stdout', '\tat x.Y.z(Y.java:1)')).toBe('OTHER');
    expect(r.level('a/stderr', '\tat x.Y.z(Y.java:1)')).toBe('OTHER');
    expect(r.level('a/stdout', '\tat x.Y.z(Y.java:1)')).toBe('ERROR');
    r.forget('a');
    expect(r.level('a/stdout', '\tat x.Y.z(Y.java:1)')).toBe('OTHER');
  });

  it("zap's dpanic is an ERROR", () => {
    expect(detectLevel('{"level":"dpanic","msg":"invariant broken"}')).toBe('ERROR');
  });
});
