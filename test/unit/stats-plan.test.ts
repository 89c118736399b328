import { describe, expect, it } from 'vitest';
import { planStats } from '../../src/commands/stats.js';

const base = { stream: true, interval: '1s', history: '60' };

describe('berth stats flags', () => {
  it('defaults: stream, 1 s, 60 samples, json when piped, table on a TTY', () => {
    expect(planStats([], base, false)).toMatchObject({ intervalMs: 1000, history: 60, format: 'json', stream: true, sel: { names: [], filters: {} } });
    expect(planStats(['web'], { ...base, project: 'shop', filter: ['label=a=b'] }, true)).toMatchObject({
      format: 'table',
      sel: { names: ['web'], project: 'shop', filters: { label: ['a=b'] } },
    });
  });

  it.each([
    [{ interval: '500ms' }, /^--interval: expected at least 1s/],
    [{ interval: 'soon' }, /^--interval: expected a duration/],
    [{ history: '0' }, /^--history: expected a number >= 1/],
    [{ history: 'many' }, /^--history: expected a whole number/],
    [{ json: true, format: 'table' }, /^--json conflicts with --format table/],
  ])('rejects %j naming the flag', (o, msg) => {
    expect(() => planStats([], { ...base, ...o }, false)).toThrow(msg);
  });
});
