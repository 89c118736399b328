import { describe, expect, it } from 'vitest';
import { nextDelay, ReconnectScheduler, RetriesExhaustedError, type BackoffPolicy } from '../../src/core/reconnect.js';

const policy: BackoffPolicy = { baseMs: 100, maxMs: 1000, factor: 2, jitter: 0.5, maxAttempts: 3 };

describe('nextDelay', () => {
  it('grows exponentially and caps', () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5].map((a) => nextDelay(a, { ...policy, jitter: 0 }, top))).toEqual([100, 200, 400, 800, 1000]);
  });
  it('draws jitter within [d*(1-jitter), d]', () => {
    expect(nextDelay(3, policy, () => 0)).toBe(200);
    expect(nextDelay(3, policy, () => 0.5)).toBe(300);
  });
});

describe('ReconnectScheduler', () => {
  const noSleep = async () => {};
  it('gives up after maxAttempts with the cause', async () => {
    const s = new ReconnectScheduler(policy, () => 0, noSleep);
    for (let i = 1; i <= 3; i++) expect((await s.wait()).attempt).toBe(i);
    const cause = new Error('down');
    await expect(s.wait(undefined, cause)).rejects.toBeInstanceOf(RetriesExhaustedError);
  });
  it('starts over after a success', async () => {
    const s = new ReconnectScheduler(policy, () => 0, noSleep);
    await s.wait();
    await s.wait();
    s.succeeded();
    expect((await s.wait()).delayMs).toBe(50);
  });
  it('reports a retry as stale when the generation changed while it waited', async () => {
    let release!: () => void;
    const s = new ReconnectScheduler(
      policy,
      () => 0,
      () => new Promise<void>((r) => (release = r)),
    );
    const pending = s.wait();
    s.bump();
    release();
    expect((await pending).retry).toBe(false);
    const fresh = s.wait();
    release();
    expect((await fresh).retry).toBe(true);
  });
  it('stops waiting at once when aborted', async () => {
    const s = new ReconnectScheduler({ ...policy, baseMs: 60_000, maxMs: 60_000 });
    const ac = new AbortController();
    const p = s.wait(ac.signal);
    ac.abort();
    await expect(p).rejects.toThrow();
  });
});
