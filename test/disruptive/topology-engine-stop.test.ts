// Runs only when the test setup started the engine itself (always in CI): stops and restarts it.
import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BERTH_BIN, engineOwned, engineScript, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import type { TopologyRecord } from '../../src/core/records.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

describe.runIf(engineOwned())('berth topology across an engine stop and start', () => {
  it('keeps one snapshot per tick, same shape, engineUp:false while the engine is stopped, true once it is back', async () => {
    const project = uniqueName('stop').replace(/-/g, '');
    const labels = (svc: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': svc });
    made.push((await runContainer({ name: `${project}-api-1`, labels: { ...labels('api'), 'berth.depends_on': 'db' }, cmd: 'exec sleep 3600' })).id);
    made.push((await runContainer({ name: `${project}-db-1`, labels: labels('db'), cmd: 'exec sleep 3600' })).id);

    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--interval', '1s', '--json', '--no-stdin'], { reject: false });
    const out = new LineCollector(child.stdout!);
    const snaps = () => out.json<TopologyRecord>();
    await out.until(() => snaps().length >= 2, 20_000);

    await engineScript('stop');
    await out.until(() => snaps().filter((s) => !s.engineUp).length >= 3, 30_000);
    await engineScript('start');
    const upAt = snaps().length;
    await out.until(
      () =>
        snaps()
          .slice(upAt)
          .filter((s) => s.engineUp).length >= 2,
      60_000,
    );
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);

    const all = snaps();
    expect(all.map((s) => s.tick)).toEqual(all.map((_, i) => i + 1));
    for (const s of all) {
      expect(s.nodes.map((n) => n.id)).toEqual(['api', 'db']);
      expect(s.edges.map((e) => [e.from, e.to, e.kind])).toEqual([['api', 'db', 'depends_on']]);
    }
    const down = all.filter((s) => !s.engineUp);
    expect(down.length).toBeGreaterThanOrEqual(3);
    // a tick wholly inside the outage counts nothing
    for (const s of down.slice(1, -1)) for (const n of s.nodes) expect(n.events + n.logs).toBe(0);
    expect(all.at(-1)!.engineUp).toBe(true);
  }, 180_000);
});
