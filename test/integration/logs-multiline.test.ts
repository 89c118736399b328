// A stack trace's lines belong to the record they continue: `--level error` keeps the whole trace,
// and an uncaught Python traceback is an ERROR.
import { afterAll, describe, expect, it } from 'vitest';
import { berth, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';

const made: string[] = [];
afterAll(() => Promise.all(made.map(removeContainer)));

describe('berth logs: multi-line records', () => {
  it('--level error keeps every line of a Java trace and of an uncaught Python traceback, and nothing else', async () => {
    const name = uniqueName('trace');
    made.push(name);
    const lines = [
      '2026-03-04 05:06:07 INFO  boot done',
      '2026-03-04 05:06:08 ERROR order 9 failed',
      'java.lang.IllegalStateException: stock gone',
      '\\tat shop.Stock.take(Stock.java:41)',
      'Caused by: java.io.IOException: pipe closed',
      '\\t... 3 common frames omitted',
      '2026-03-04 05:06:09 INFO  order 10 placed',
      'Traceback (most recent call last):',
      '  File "/srv/app.py", line 7, in <module>',
      'ZeroDivisionError: division by zero',
      'plain words after it',
    ];
    await runContainer({ name, cmd: `printf '${lines.join('\\n')}\\n'; sleep 300` });
    await waitFor(async () => (await berth(['logs', name])).stdout.includes('plain words'), 20_000, 200);
    const res = await berth(['logs', '--json', '--level', 'error', name]);
    expect(res.exitCode).toBe(0);
    const got = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; level: string });
    expect(got.map((r) => r.msg)).toEqual([
      '2026-03-04 05:06:08 ERROR order 9 failed',
      'java.lang.IllegalStateException: stock gone',
      '\tat shop.Stock.take(Stock.java:41)',
      'Caused by: java.io.IOException: pipe closed',
      '\t... 3 common frames omitted',
      'Traceback (most recent call last):',
      '  File "/srv/app.py", line 7, in <module>',
      'ZeroDivisionError: division by zero',
    ]);
    expect(new Set(got.map((r) => r.level))).toEqual(new Set(['ERROR']));
  });
});
