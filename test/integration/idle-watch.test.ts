import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeContainer } from '../helpers/docker.js';
import { HTTPD, ipOf, roundMarker, start, state, watchIdle } from './idle-helpers.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

const fast = { 'berth.idle.timeout': '3s', 'berth.idle.stop_timeout': '1s' };

describe('berth watch-idle', () => {
  it('stops a container after 3 s without traffic, and not one while traffic flows', async () => {
    const quiet = await start(made, 'quiet', { cmd: HTTPD, labels: fast });
    const busy = await start(made, 'traffic', { cmd: HTTPD, labels: fast });
    const ip = await ipOf(busy);
    const traffic = setInterval(
      () =>
        void fetch(`http://${ip}:8080/`)
          .then((r) => r.text())
          .catch(() => {}),
      300,
    );
    const marker = await roundMarker(made);
    // Its own claims folder: this test asks for an empty stderr, and other test files' berth processes,
    // in parallel on this engine and user, share the default one (twice in CI, one of them claimed `busy`).
    const w = watchIdle([quiet, busy, marker], [], { ...process.env, BERTH_RUN_DIR: mkdtempSync(join(tmpdir(), 'berth-run-')) } as Record<string, string>);
    try {
      const found = await w.waitRec(quiet, (r) => r.from === 'unknown');
      expect(found).toMatchObject({ type: 'idle', to: 'ready', reason: expect.stringMatching(/^found running \(Up /) });
      const stopped = await w.waitRec(quiet, (r) => r.action === 'stop');
      expect(stopped).toMatchObject({ from: 'ready', to: 'napping', reason: expect.stringMatching(/^idle for [\d.]+s \(network <= 512 B per reading, no open connections, timeout 3s\)$/) });
      expect(stopped.at - found.at).toBeGreaterThanOrEqual(2900);
      expect((await state(quiet)).Running).toBe(false);
      // the one with traffic stays up well past its timeout...
      // quiet, found in the same round with the same timeout, is asleep: two whole rounds after that judge busy too
      await w.fullRound(marker);
      await w.fullRound(marker);
      expect((await state(busy)).Running).toBe(true);
      expect(w.find(busy, (r) => r.to === 'napping')).toBeUndefined();
      // ...and sleeps once the traffic stops
      clearInterval(traffic);
      const t = Date.now();
      await w.waitRec(busy, (r) => r.action === 'stop');
      expect(Date.now() - t).toBeGreaterThanOrEqual(2500);
    } finally {
      clearInterval(traffic);
      const res = await w.stop();
      expect(res.exitCode).toBe(130);
      expect(w.stderr.join('')).toBe('');
    }
  });

  it('pauses or kills per berth.idle.stop_method, and tracks a container woken by someone else', async () => {
    const p = await start(made, 'pause', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'pause' } });
    const k = await start(made, 'kill', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '2s', 'berth.idle.stop_method': 'kill' } });
    const w = watchIdle([p, k]);
    try {
      expect(await w.waitRec(p, (r) => !!r.action)).toMatchObject({ action: 'pause', from: 'ready', to: 'napping' });
      expect(await w.waitRec(k, (r) => !!r.action)).toMatchObject({ action: 'kill', from: 'ready', to: 'napping' });
      const [ps, ks] = await Promise.all([state(p), state(k)]);
      expect([ps.Paused, ps.Running]).toEqual([true, true]);
      expect([ks.Running, ks.ExitCode]).toEqual([false, 137]);
      // someone else wakes it: tracked, timer armed again, paused again after its timeout
      const { docker } = await import('../helpers/docker.js');
      await docker.getContainer(p).unpause();
      expect(await w.waitRec(p, (r) => r.from === 'napping' && r.to === 'ready')).toMatchObject({ reason: expect.stringMatching(/^started outside this watcher/) });
      await w.out.until((ls) => ls.filter((l) => l.line.includes(p) && l.line.includes('"action":"pause"')).length === 2, 20_000);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
    }
  });
});
