import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { badLineReporter, parseTopologyRecord, readTopologyInput, type TopologyInput } from '../../src/core/topology/stdin.js';

describe('topology stdin records', () => {
  it.each([
    [{ edge: 'api->redis' }, { kind: 'edge', from: 'api', to: 'redis', count: 1 }],
    [
      { edge: ' api -> redis ', count: 2 },
      { kind: 'edge', from: 'api', to: 'redis', count: 2 },
    ],
    [
      { from: 'api', to: 'worker' },
      { kind: 'edge', from: 'api', to: 'worker', count: 1 },
    ],
    [
      { from: 'api', to: 'redis', count: 3 },
      { kind: 'edge', from: 'api', to: 'redis', count: 3 },
    ],
    [{ node: 'worker' }, { kind: 'node', id: 'worker', count: 1 }],
    [
      { node: 'worker', count: 7, msg: 'extra fields are fine' },
      { kind: 'node', id: 'worker', count: 7 },
    ],
  ])('parses %j', (rec, want) => {
    expect(parseTopologyRecord(rec)).toEqual({ ok: true, input: want });
  });

  it.each([
    [{ type: 'log', msg: 'x' }, 'expected {"edge":"a->b"}, {"from":"a","to":"b"} or {"node":"a"}'],
    [{ edge: 'api' }, '"edge" must look like "a->b" (got: "api")'],
    [{ edge: 'api->' }, '"edge" must be a non-empty string'],
    [{ edge: 5 }, '"edge" must look like "a->b" (got: 5)'],
    [{ from: 'api' }, '"to" must be a non-empty string'],
    [{ to: 'api' }, '"from" must be a non-empty string'],
    [{ node: '' }, '"node" must be a non-empty string'],
    [{ node: 'x'.repeat(129) }, '"node" is longer than 128 characters'],
    [{ edge: 'a->b', count: 0 }, '"count" must be a whole number from 1 to 1000000 (got: 0)'],
    [{ edge: 'a->b', count: 1.5 }, '"count" must be a whole number from 1 to 1000000 (got: 1.5)'],
    [{ edge: 'a->b', count: '3' }, '"count" must be a whole number from 1 to 1000000 (got: "3")'],
    [{ edge: 'a->b', count: 2_000_000 }, '"count" must be a whole number from 1 to 1000000 (got: 2000000)'],
  ])('rejects %j saying why', (rec, why) => {
    expect(parseTopologyRecord(rec as Record<string, unknown>)).toEqual({ ok: false, why });
  });

  it('reads a stream: bad lines are reported with their line number and skipped, the rest flows', async () => {
    const text = ['{"edge":"api->redis"}', 'plain text', '', '{"node":"worker","count":2}', '{"edge":', '{"from":"a","to":"b","count":-1}', '{"from":"a","to":"b","count":3}'].join('\n');
    const bad: string[] = [];
    const got: TopologyInput[] = [];
    for await (const i of readTopologyInput(Readable.from([Buffer.from(text)]), (n, why) => bad.push(`${n}: ${why}`))) got.push(i);
    expect(got).toEqual([
      { kind: 'edge', from: 'api', to: 'redis', count: 1 },
      { kind: 'node', id: 'worker', count: 2 },
      { kind: 'edge', from: 'a', to: 'b', count: 3 },
    ]);
    expect(bad).toHaveLength(3);
    expect(bad[0]).toBe('2: expected a JSON record like {"edge":"a->b"}');
    expect(bad[1]).toMatch(/^5: not valid JSON: /);
    expect(bad[2]).toBe('6: "count" must be a whole number from 1 to 1000000 (got: -1)');
  });

  it('reports each bad line once, then stops reporting after the limit with one last line', () => {
    const out: string[] = [];
    const report = badLineReporter((m) => out.push(m), 2);
    for (let i = 1; i <= 5; i++) report(i, 'bad');
    expect(out).toEqual(['stdin line 1: bad; skipped', 'stdin line 2: bad; skipped', 'stdin: more bad lines; skipping them without a report']);
  });
});
