import { afterAll, describe, expect, it } from 'vitest';
import { connectEngine } from '../../src/core/engine/connect.js';
import { StatsCollector, targetKey, type StatsEvent } from '../../src/core/stats/collector.js';
import { removeContainer, runContainer, uniqueName } from '../helpers/docker.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

describe('StatsCollector on the real engine', () => {
  it('keeps at most --history samples per container and prunes a removed container', async () => {
    const c = await runContainer({ name: uniqueName('coll'), cmd: 'sleep 600' });
    made.push(c.id);
    const ac = new AbortController();
    const engine = await connectEngine({ env: process.env, signal: ac.signal });
    const collector = new StatsCollector({ history: 3 });
    const seen: StatsEvent[] = [];
    let removed = false;
    const timer = setTimeout(() => ac.abort(), 45_000);
    try {
      for await (const ev of collector.follow([engine], { names: [c.id] }, ac.signal)) {
        seen.push(ev);
        const samples = seen.filter((e) => e.kind === 'sample').length;
        if (ev.kind === 'sample') {
          const key = targetKey(ev.target);
          expect(collector.history.samples(key).length).toBe(Math.min(samples, 3));
          if (samples === 5) void removeContainer(c);
        }
        if (ev.kind === 'removed') {
          removed = true;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    expect(removed).toBe(true);
    expect(seen.filter((e) => e.kind === 'sample').length).toBeGreaterThanOrEqual(5);
    expect(collector.history.size).toBe(0);
    expect(collector.targets()).toEqual([]);
  });
});
