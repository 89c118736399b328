import { describe, expect, it } from 'vitest';
import { StatsCollector, type StatsEvent } from '../../src/core/stats/collector.js';
import { parseReading } from '../../src/core/stats/sample.js';
import type { RawStats } from '../../src/core/stats/formulas.js';
import type { Engine } from '../../src/core/engine/engine.js';
import type { Target } from '../../src/core/engine/select.js';
import { fixture, fixtureStream } from './stats-fixtures.js';

const busy = fixtureStream('v1-stream-busy.ndjson');
const stopped = fixture('v1-stopped.json');
const target = { engine: { name: 'e' } as Engine, id: 'abc', name: 'web', tty: false, running: true, labels: {} } as Target;
const at = (raw: RawStats, read: string): RawStats => ({ ...raw, read });

/** A stand-in for the engine's stats stream (readStatsLines): hands over the readings' lines in turn, waiting while the reader asks, then ends, or (`open`) stays open. */
const streamOf =
  (readings: RawStats[], open = false) =>
  async (_e: Engine, _id: string, _s: AbortSignal, onLine: (text: string, n: number) => void | 'stop' | Promise<void>) => {
    for (const [i, raw] of readings.entries()) {
      const verdict = onLine(JSON.stringify(raw), i + 1);
      if (verdict === 'stop') return;
      if (verdict) await verdict;
    }
    if (open) await new Promise(() => {});
  };

/** Runs a collector over one container whose engine stream yields `readings`, and returns its events. */
async function collect(readings: RawStats[], opts: { intervalMs?: number; history?: number } = {}) {
  const collector = new StatsCollector({ ...opts, stream: streamOf(readings) });
  const ac = new AbortController();
  collector.add(target, ac.signal);
  const events: StatsEvent[] = [];
  for await (const ev of collector.events()) {
    events.push(ev);
    if (ev.kind === 'removed') collector.close();
  }
  return { events, samples: events.flatMap((e) => (e.kind === 'sample' ? [e.sample] : [])), collector };
}

describe('StatsCollector (injected readings)', () => {
  it('one sample per reading at the default interval; first without CPU; the end of the stream removes the container and its history', async () => {
    const { events, samples, collector } = await collect(busy);
    expect(samples.map((s) => s.ts)).toEqual(busy.map((b) => b.read));
    expect(samples[0]!.cpuPercent).toBeUndefined();
    expect(samples[1]!.cpuPercent).toBe(50.12298415841584);
    expect(events.at(-1)).toMatchObject({ kind: 'removed', key: 'e/abc' });
    expect(collector.history.size).toBe(0);
    expect(collector.targets()).toEqual([]);
  });

  it('--interval 2s keeps every other reading and computes CPU% over the whole interval', async () => {
    const { samples } = await collect(busy, { intervalMs: 2000 });
    expect(samples.map((s) => s.ts)).toEqual([busy[0]!.read, busy[2]!.read]);
    const a = busy[0]!.cpu_stats!;
    const c = busy[2]!.cpu_stats!;
    expect(samples[1]!.cpuPercent).toBe(((c.cpu_usage!.total_usage! - a.cpu_usage!.total_usage!) / (c.system_cpu_usage! - a.system_cpu_usage!)) * 2 * 100);
  });

  it('a not-running reading is skipped and the next reading has no previous one', async () => {
    // After a stopped reading the engine's next precpu_stats is that empty reading, as here.
    const { samples } = await collect([busy[0]!, stopped, { ...busy[2]!, precpu_stats: stopped.precpu_stats }, busy[3]!]);
    expect(samples.map((s) => s.cpuPercent === undefined)).toEqual([true, true, false]);
  });

  it('a restart inside the stream resets the series and the history', async () => {
    const before = fixture('v1-restart-before.json');
    const after = fixture('v1-restart-after.json');
    const readings = [at(before, '2026-11-22T10:52:07.6Z'), before, after, at(after, '2026-11-22T10:52:11.22Z')];
    const collector = new StatsCollector({ history: 10, stream: streamOf(readings, true) });
    const ac = new AbortController();
    collector.add(target, ac.signal);
    const seen: StatsEvent[] = [];
    for await (const ev of collector.events()) {
      seen.push(ev);
      if (seen.length === 4) break;
    }
    const samples = seen.flatMap((e) => (e.kind === 'sample' ? [e.sample] : []));
    expect(samples.map((s) => !!s.reset)).toEqual([false, false, true, false]);
    expect(samples[3]!.netRxRate).toBeDefined();
    expect(collector.history.samples('e/abc').map((s) => s.ts)).toEqual([after.read, '2026-11-22T10:52:11.220000000Z']); // the engine's trimmed zeros put back
    collector.remove('e/abc');
    expect(collector.history.size).toBe(0);
    ac.abort();
  });

  it('parseReading: a bad line is a message, not a throw', () => {
    expect(parseReading(JSON.stringify(busy[0]))).toEqual(busy[0]);
    expect(parseReading('{"read":')).toMatch(/JSON/);
    expect(parseReading('{"id":"x"}')).toBe('not a stats reading (no "read" time)');
    expect(parseReading('null')).toBe('not a stats reading (no "read" time)');
  });
});
