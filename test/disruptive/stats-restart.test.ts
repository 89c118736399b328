// Runs only when the test setup started the engine itself (always in CI): kills and restarts it.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { BERTH_BIN, engineOwned, engineScript, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

describe.runIf(engineOwned())('berth stats across an engine restart', () => {
  it('keeps running through SIGKILL of dockerd and follows the container again once it runs', async () => {
    const value = randomBytes(4).toString('hex');
    const c = await runContainer({ name: uniqueName('stats-rs'), cmd: 'sleep 600', labels: { 'berth.test.stats': value }, host: { RestartPolicy: { Name: 'always' } } });
    try {
      const child = execa('node', [BERTH_BIN, 'stats', '--json', '--filter', `label=berth.test.stats=${value}`], { reject: false });
      const out = new LineCollector(child.stdout!);
      const stderr: string[] = [];
      child.stderr!.on('data', (d) => stderr.push(String(d)));
      await out.until((ls) => ls.filter((l) => l.line.includes(c.id)).length >= 2, 30_000);

      await engineScript('kill');
      await engineScript('start');
      const back = Date.now();
      await out.until((ls) => ls.filter((l) => l.line.includes(c.id) && l.at > back).length >= 2, 90_000);
      child.kill('SIGINT');
      const res = await child;
      expect(res.exitCode).toBe(130);
      // the selection supervisor says so once for the run, and that it caught up once back
      expect(stderr.join('')).toMatch(/lost the engine: .*; reconnecting/);
      expect(stderr.join('')).toMatch(/reconnected to the engine/);
      // the stats stream's own loss is not reported once per container
      expect(stderr.join('')).not.toMatch(/stats of /);
      // no negative rate across the restart
      for (const r of out.json<{ netRxRate?: number; cpuPercent?: number }>()) {
        if (r.netRxRate !== undefined) expect(r.netRxRate).toBeGreaterThanOrEqual(0);
        if (r.cpuPercent !== undefined) expect(r.cpuPercent).toBeGreaterThanOrEqual(0);
      }
    } finally {
      await removeContainer(c);
    }
  });
});
