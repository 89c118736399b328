import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.js';
import type { RawStats } from '../../src/core/stats/formulas.js';
import { StatsSampler } from '../../src/core/proxy/stats-api.js';

/** Readings of a container using 50% of one of 2 CPUs and 10 MiB (+2 MiB inactive file), one per call. */
function reader() {
  let i = 0;
  const read = async (): Promise<RawStats> => {
    i++;
    return {
      read: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
      cpu_stats: { cpu_usage: { total_usage: i * 500_000_000 }, system_cpu_usage: i * 2_000_000_000, online_cpus: 2 },
      memory_stats: { usage: 12 * 1024 * 1024, limit: 1024 * 1024 * 1024, stats: { total_inactive_file: 2 * 1024 * 1024 } },
    } as unknown as RawStats;
  };
  return { read, calls: () => i };
}

describe('StatsSampler', () => {
  it('starts on the first request, serves samples since an index, and stops after the expiry', async () => {
    const r = reader();
    const ac = new AbortController();
    let now = 0;
    const s = new StatsSampler({} as Engine, { intervalMs: 5, expiryMs: 1000, read: r.read, now: () => now }, ac.signal);
    expect(s.query('web', 0)).toEqual({ metrics: [], from: 0, running: false, sampling: false });
    s.touch('web');
    await vi.waitFor(() => expect(r.calls()).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 10 }); // by count: a loaded machine runs timers late
    const a = s.query('web', 0);
    expect(a.sampling).toBe(true);
    expect(a.running).toBe(true);
    expect(a.from).toBe(r.calls() - 1); // the first reading has no previous: no CPU figure, not stored
    expect(a.metrics[0]).toEqual({ cpu: 50, mem: 10 * 1024 * 1024, ts: '2026-01-01T00:00:02.000000000Z' });
    const b = s.query('web', a.from);
    expect(b.from).toBeGreaterThanOrEqual(a.from);
    expect(b.metrics).toHaveLength(b.from - a.from);
    now = 1000; // a second without a request for it
    await vi.waitFor(() => expect(s.query('web', 0).sampling).toBe(false), { timeout: 5000, interval: 5 });
    const calls = r.calls();
    // Five intervals later, by the readings of another container sampled at the same interval: none more for it.
    const other = reader();
    new StatsSampler({} as Engine, { intervalMs: 5, expiryMs: 60_000, read: other.read }, ac.signal).touch('other');
    await vi.waitFor(() => expect(other.calls()).toBeGreaterThanOrEqual(5), { timeout: 5000, interval: 5 });
    expect(r.calls()).toBe(calls);
    ac.abort();
  });

  it('keeps at most `capacity` samples', async () => {
    const r = reader();
    const ac = new AbortController();
    const s = new StatsSampler({} as Engine, { intervalMs: 1, expiryMs: 60_000, capacity: 3, read: r.read }, ac.signal);
    s.touch('web');
    await vi.waitFor(() => expect(r.calls()).toBeGreaterThanOrEqual(6), { timeout: 5000, interval: 10 });
    ac.abort();
    const q = s.query('web', 0);
    expect(q.metrics).toHaveLength(3);
    expect(q.from).toBeGreaterThan(3);
    expect(s.query('web', q.from - 1).metrics).toHaveLength(1);
  });

  it('a poll starts sampling, answers with `running` read from the engine, and polling keeps it going', async () => {
    const r = reader();
    const ac = new AbortController();
    let now = 0;
    const s = new StatsSampler({} as Engine, { intervalMs: 5, expiryMs: 1000, read: r.read, now: () => now }, ac.signal);
    const first = await s.poll('web', 0);
    expect(first).toEqual({ metrics: [], from: 0, running: true, sampling: true }); // one reading made: no CPU figure yet
    expect(r.calls()).toBeGreaterThanOrEqual(1);
    for (let t = 500; t <= 2500; t += 500) {
      now = t; // past the 1 s expiry counted from the first poll, but polled every 500 ms
      // Two more readings: the sampling loop has checked the expiry at this time.
      const calls = r.calls();
      await vi.waitFor(() => expect(r.calls()).toBeGreaterThanOrEqual(calls + 2), { timeout: 5000, interval: 5 });
      expect((await s.poll('web', 0)).sampling).toBe(true);
    }
    ac.abort();
  });

  it('a reading that comes back after the expiry (a slow engine) is not kept', async () => {
    const r = reader();
    const ac = new AbortController();
    let now = 0;
    let release: () => void = () => {};
    let onItsWay: () => void = () => {};
    const slowReading = new Promise<void>((res) => (onItsWay = res));
    let slow = false;
    const read = async () => {
      if (slow) await new Promise<void>((res) => (onItsWay(), (release = res)));
      return r.read();
    };
    const s = new StatsSampler({} as Engine, { intervalMs: 5, expiryMs: 1000, read, now: () => now }, ac.signal);
    s.touch('web');
    await vi.waitFor(() => expect(s.query('web', 0).from).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 5 });
    const before = s.query('web', 0).from;
    slow = true;
    await slowReading; // a reading is now on its way
    now = 1500; // ... and nobody asks again within the expiry
    release();
    // The loop ends at its next look at the expiry, after that reading came back.
    await vi.waitFor(() => expect(s.query('web', 0).sampling).toBe(false), { timeout: 5000, interval: 5 });
    expect(s.query('web', 0).from).toBe(before);
    ac.abort();
  });

  it('a stopped container reads running: false; an engine that fails too', async () => {
    const ac = new AbortController();
    const stopped = new StatsSampler(
      {} as Engine,
      { intervalMs: 5, expiryMs: 1000, read: async () => ({ read: '0001-01-01T00:00:00Z', cpu_stats: {}, memory_stats: {} }) as unknown as RawStats },
      ac.signal,
    );
    expect(await stopped.poll('web', 0)).toMatchObject({ running: false, sampling: true });
    const failing = new StatsSampler({} as Engine, { intervalMs: 5, expiryMs: 1000, read: async () => Promise.reject(new Error('no such container')) }, ac.signal);
    expect(await failing.poll('web', 0)).toMatchObject({ running: false });
    ac.abort();
  });
});
