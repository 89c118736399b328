import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { berth, BERTH_BIN, docker, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

async function create(o: Parameters<typeof runContainer>[0] & { name: string }): Promise<string> {
  await runContainer({ ...o, start: false });
  made.push(o.name);
  return o.name;
}

describe('berth wake under signals and concurrency', () => {
  it('SIGTERM while waiting for a dependency: exits 143 quietly, reports the dependency it left running, starts nothing more', async () => {
    const db = await create({ name: uniqueName('sig-db'), cmd: 'exec sleep 600', healthcheck: { Test: ['CMD-SHELL', 'exit 1'], Interval: 500_000_000, Retries: 100 } });
    const app = await create({ name: uniqueName('sig-app'), cmd: 'exec sleep 600', labels: { 'berth.idle.depends_on': `${db}:service_healthy` } });
    const child = execa('node', [BERTH_BIN, 'wake', app, '--json'], { reject: false });
    const out = new LineCollector(child.stdout!);
    await out.until((ls) => ls.some((l) => l.line.includes('"waking_dep"')));
    // db started and its health check ran (and failed) once: berth is waiting for it to be healthy
    await waitFor(async () => ((await docker.getContainer(db).inspect()).State.Health?.Log?.length ?? 0) > 0, 20_000, 100);
    child.kill('SIGTERM');
    const res = await child;
    expect(res.exitCode).toBe(143);
    expect(res.stderr).toBe('');
    const last = JSON.parse(out.lines.at(-1)!.line);
    expect(last).toMatchObject({ type: 'wake', event: 'error', container: app, message: `interrupted; started and left running: ${db}` });
    expect((await docker.getContainer(app).inspect()).State.Running).toBe(false);
    expect((await docker.getContainer(db).inspect()).State.Running).toBe(true);
  });

  it('two berth processes waking the same container at once both succeed, and it is started once', async () => {
    const app = await create({ name: uniqueName('twice'), cmd: 'exec sleep 600', healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 500_000_000 } });
    const since = Math.floor(Date.now() / 1000) - 1;
    const [a, b] = await Promise.all([berth(['wake', app]), berth(['wake', app])]);
    expect([a.exitCode, b.exitCode, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const ev = await execa('docker', [
      'events',
      '--since',
      String(since),
      '--until',
      String(Math.ceil(Date.now() / 1000)),
      '--filter',
      `container=${app}`,
      '--filter',
      'event=start',
      '--format',
      '{{.Action}}',
    ]);
    expect(ev.stdout.trim().split('\n')).toEqual(['start']);
  });
});
