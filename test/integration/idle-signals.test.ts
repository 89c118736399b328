import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { removeContainer } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { start, state, watchIdle } from './idle-helpers.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

describe('berth watch-idle under SIGTERM', () => {
  it('finishes a stop in progress, prints it, then exits 143', async () => {
    // sleep as PID 1 ignores SIGTERM: the stop takes its full stop_timeout (3 s) before SIGKILL
    const c = await start(made, 'sigterm', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '2s', 'berth.idle.stop_timeout': '3s' } });
    const kills = execa('docker', ['events', '--filter', `container=${c}`, '--filter', 'event=kill', '--format', '{{.Actor.Attributes.signal}}'], { reject: false });
    const signals = new LineCollector(kills.stdout!);
    const w = watchIdle([c]);
    try {
      await signals.until((ls) => ls.length > 0, 30_000); // the stop has begun: SIGTERM sent to the container
      expect(signals.lines[0]!.line).toBe('15');
      const t = Date.now();
      w.child.kill('SIGTERM');
      const res = await w.child;
      expect(res.exitCode).toBe(143);
      expect(Date.now() - t).toBeGreaterThanOrEqual(1500); // it waited for the stop rather than leaving it half done
      expect(w.find(c, (r) => r.action === 'stop')).toMatchObject({ from: 'ready', to: 'napping' });
      expect((await state(c)).Running).toBe(false);
      expect(w.stderr.join('')).toBe('');
    } finally {
      kills.kill();
      w.child.kill('SIGKILL');
    }
  });
});
