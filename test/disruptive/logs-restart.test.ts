// Runs only when the test setup started the engine itself (always in CI): kills and restarts it.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BERTH_BIN, engineOwned, engineScript, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

describe.runIf(engineOwned())('berth logs --follow across an engine restart', () => {
  it('re-attaches after dockerd is killed and restarted, with no repeated and no lost lines', async () => {
    const c = await runContainer({
      name: uniqueName('logeng'),
      cmd: 'i=0; while true; do i=$((i+1)); echo "beat $i"; sleep 0.2; done',
      host: { RestartPolicy: { Name: 'always' } },
    });
    try {
      const child = execa('node', [BERTH_BIN, 'logs', '--follow', '--json', c.id], { reject: false });
      const out = new LineCollector(child.stdout!);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += String(d)));
      await out.until((ls) => ls.length >= 3, 20_000);
      await engineScript('kill');
      await engineScript('start');
      const seen = out.lines.length;
      // the container restarts by its policy and prints "beat 1" again: berth must follow it
      await out.until((ls) => ls.slice(seen).some((l) => JSON.parse(l.line).msg === 'beat 3'), 90_000);
      await c.stop({ t: 0 });
      // Stopped, its docker logs are final: berth is stopped once it has printed as many lines (an
      // extra or a repeated line would show in the comparison below).
      const d = await execa('docker', ['logs', '-t', c.id]);
      const theirs = d.stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, 30), l.slice(31)]);
      await out.until((ls) => ls.length >= theirs.length, 30_000).catch(() => undefined);
      child.kill('SIGINT');
      const res = await child;
      expect(res.exitCode).toBe(130);
      const ours = out.json<{ ts: string; msg: string }>().map((r) => [r.ts, r.msg]);
      expect(ours).toEqual(theirs);
      expect(stderr).toMatch(/lost the engine/);
    } finally {
      await removeContainer(c);
    }
  });
});
