import { afterAll, describe, expect, it } from 'vitest';
import { ndjsonLines } from '../helpers/lines.js';
import { berth, docker, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

async function create(prefix: string, o: Parameters<typeof runContainer>[0]): Promise<string> {
  const name = o.name ?? uniqueName(prefix);
  await runContainer({ ...o, name, start: false });
  made.push(name);
  return name;
}

const events = (stdout: string) => ndjsonLines<{ event: string; dep?: string; message: string; container: string }>(stdout);

describe('berth wake', () => {
  it('starts the compose dependency first, waits for its healthcheck, then the app, emitting the events in order', async () => {
    const project = uniqueName('proj');
    const db = await create('db', {
      cmd: 'sleep 1; echo ok > /ready; exec sleep 600',
      labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': 'db' },
      healthcheck: { Test: ['CMD-SHELL', 'cat /ready'], Interval: 500_000_000, Retries: 30 },
    });
    const app = await create('app', {
      cmd: 'exec sleep 600',
      labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': 'app', 'com.docker.compose.depends_on': 'db:service_healthy:false' },
    });
    const res = await berth(['wake', app]);
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
    const evs = events(res.stdout);
    expect(evs.map((e) => [e.event, e.dep])).toEqual([
      ['starting', undefined],
      ['waking_dep', db],
      ['dep_ready', db],
      ['container_woke', undefined],
      ['waiting_ready', undefined],
      ['ready', undefined],
    ]);
    expect(evs.every((e) => e.container === app)).toBe(true);
    // the budget is the app's wake_timeout plus its dependency's (60s each by default)
    expect(evs[0]!.message).toBe(`waking ${app} after ${db} (budget 120s)`);
    expect(evs[2]!.message).toBe(`dependency ${db} is healthy`);
    expect(evs[3]!.message).toBe(`started ${app}`);
    const [dbInfo, appInfo] = await Promise.all([docker.getContainer(db).inspect(), docker.getContainer(app).inspect()]);
    expect(dbInfo.State.Health?.Status).toBe('healthy');
    expect(appInfo.State.Running).toBe(true);
    // the app was started only after the db had been up for its healthcheck to pass (>= 1 s)
    expect(Date.parse(appInfo.State.StartedAt) - Date.parse(dbInfo.State.StartedAt)).toBeGreaterThanOrEqual(900);
    // (its time is bounded by the test's, well inside the 120 s budget; a wall-clock bound here measured the machine's load)

    // waking it again: already running, ready at once
    const again = await berth(['wake', app]);
    expect(again.exitCode).toBe(0);
    expect(events(again.stdout).find((e) => e.event === 'container_woke')!.message).toBe(`${app} was already running`);
    // paused (stop_method=pause): waking unpauses it
    await docker.getContainer(app).pause();
    const unpaused = await berth(['wake', app]);
    expect(unpaused.exitCode, unpaused.stderr).toBe(0);
    expect(events(unpaused.stdout).find((e) => e.event === 'container_woke')!.message).toBe(`unpaused ${app}`);
    expect((await docker.getContainer(app).inspect()).State.Paused).toBe(false);
  });

  it('fails fast with the exit code in the message when the container exits while starting', async () => {
    const app = await create('exits', {
      cmd: 'sleep 1; exit 3',
      labels: { 'berth.idle.wake_timeout': '300s' },
      healthcheck: { Test: ['CMD-SHELL', 'exit 1'], Interval: 500_000_000, Retries: 100 },
    });
    const t0 = Date.now();
    const res = await berth(['wake', app]);
    expect(res.exitCode).toBe(1);
    // fast: at the exit, not at the end of its 300 s budget (a tenth of it leaves room for a loaded machine)
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(res.stderr.split('\n')[0]).toBe(`berth: ${app} exited with code 3 while starting`);
    const evs = events(res.stdout);
    expect(evs.at(-1)).toMatchObject({ event: 'error', message: `${app} exited with code 3 while starting` });
  });

  it('ends with exit 5 when not ready within --timeout, saying what it waited for', async () => {
    const app = await create('slow', {
      cmd: 'exec sleep 600',
      healthcheck: { Test: ['CMD-SHELL', 'exit 1'], Interval: 500_000_000, Retries: 100 },
    });
    const t0 = Date.now();
    const res = await berth(['wake', app, '--timeout', '2s']);
    expect(res.exitCode).toBe(5);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    expect(res.stderr.split('\n')[0]).toMatch(new RegExp(`^berth: ${app} was not ready after 2s \\(waiting for its healthcheck \\(now (starting|unhealthy)\\)\\)$`));
  });

  it.each(['http://container:8080/', 'tcp://container:8080'])('waits for the probe %s on the container address', async (probe) => {
    const app = await create('probe', {
      cmd: 'sleep 1; mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 8080 -h /www',
      labels: { 'berth.idle.probe': probe },
    });
    const t0 = Date.now();
    const res = await berth(['wake', app, '--json']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // not before httpd listens
    expect(events(res.stdout).at(-1)!.message).toMatch(new RegExp(`^${app} is ready \\(probe ${probe} answered\\) after [\\d.]+s$`));
  });

  it('runs a compose init dependency to completion first (service_completed_successfully), and fails when it exits non-zero', async () => {
    const project = uniqueName('init');
    const compose = (service: string, extra: Record<string, string> = {}) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service, ...extra });
    const init = await create('init', { cmd: 'sleep 1; exit 0', labels: compose('init') });
    const app = await create('after-init', { cmd: 'exec sleep 600', labels: compose('app', { 'com.docker.compose.depends_on': 'init:service_completed_successfully:false' }) });
    const ok = await berth(['wake', app]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(events(ok.stdout).find((e) => e.event === 'dep_ready')!.message).toBe(`dependency ${init} is completed successfully`);
    const failing = await create('init-bad', { cmd: 'exit 2', labels: compose('init2') });
    const app2 = await create('after-bad', { cmd: 'exec sleep 600', labels: compose('app2', { 'com.docker.compose.depends_on': 'init2:service_completed_successfully:false' }) });
    const bad = await berth(['wake', app2]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.split('\n')[0]).toBe(`berth: ${failing} exited with code 2 before completing successfully`);
    expect((await docker.getContainer(app2).inspect()).State.Running).toBe(false);
  });

  it.each([[{ 'berth.idle.wake_timeout': 'soon' }, (n: string) => `berth: container ${n}: label berth.idle.wake_timeout: expected a duration like 30s, 15m, 1h (0 = never) (got: "soon")`]])(
    'rejects a bad label naming container, label and expected form (exit 2)',
    async (labels, message) => {
      const app = await create('badlabel', { cmd: 'exec sleep 600', labels });
      const res = await berth(['wake', app]);
      expect(res.exitCode).toBe(2);
      expect(res.stderr.split('\n')[0]).toBe(message(app));
      expect((await docker.getContainer(app).inspect()).State.Running).toBe(false);
    },
  );

  it('prints one progress line per step with --format table (what a TTY shows)', async () => {
    const app = await create('table', { cmd: 'exec sleep 600' });
    const res = await berth(['wake', app, '--format', 'table'], { env: { NO_COLOR: '1' } });
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d /, 'T '));
    expect(lines.slice(0, 3)).toEqual([`T … waking ${app} (budget 60s)`, `T ↑ started ${app}`, `T … waiting for ${app} to be ready (healthcheck if it has one, else running)`]);
    expect(lines[3]).toMatch(new RegExp(`^T ✓ ${app} is ready \\(running\\) after [\\d.]+s$`));
    expect(lines).toHaveLength(4);
  });

  it('refuses a dependency cycle, naming it, and starts nothing', async () => {
    const a = uniqueName('cyc-a');
    const b = uniqueName('cyc-b');
    await create('cyc', { name: a, cmd: 'exec sleep 600', labels: { 'berth.idle.depends_on': b } });
    await create('cyc', { name: b, cmd: 'exec sleep 600', labels: { 'berth.idle.depends_on': a } });
    const res = await berth(['wake', a]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe(`berth: dependency cycle: ${a} -> ${b} -> ${a}`);
    expect((await docker.getContainer(b).inspect()).State.Running).toBe(false);
  });

  it('names a missing container (exit 4) and a bad --timeout (exit 2)', async () => {
    const missing = await berth(['wake', 'berth-test-no-such-container']);
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr.split('\n')[0]).toBe('berth: no such container: berth-test-no-such-container');
    const bad = await berth(['wake', 'x', '--timeout', 'later']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.trim()).toBe('berth: --timeout: expected a duration like 10s, 5m, 1h30m (got: "later")');
  });
});
