/**
 * wake on Podman of a container whose dependency has a healthcheck. Podman runs healthchecks from
 * systemd timers; here (no systemd) nothing runs them, so berth runs an overdue check itself through
 * libpod's API while it waits (engine/podman.ts), and the wake ends as it does on docker.
 */
import { describe, expect, it } from 'vitest';
import { berthOnPodman, podman, labelArgs, uniqueName } from '../helpers/podman.js';

const PG = ['postgres', '-D', '/var/lib/postgresql/15/main', '-c', 'config_file=/etc/postgresql/15/main/postgresql.conf'];

describe('wake on Podman', () => {
  it("waits for a dependency's healthcheck that no scheduler runs (real Postgres), then starts the app", async () => {
    const image = await podman(['image', 'exists', 'berth-test/real']);
    expect(image.exitCode, 'berth-test/real is missing from Podman: run bash scripts/real-image.sh podman').toBe(0);
    const project = uniqueName('proj');
    const db = uniqueName('pmdb');
    const app = uniqueName('pmapp');
    const compose = (service: string) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service, 'berth.idle.wake_timeout': '25s' });
    const made = await podman([
      'create',
      '--name',
      db,
      ...labelArgs(compose('db')),
      '--user',
      'postgres',
      '--health-cmd',
      'pg_isready -h 127.0.0.1',
      '--health-interval',
      '1s',
      '--health-retries',
      '30',
      'berth-test/real',
      ...PG,
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const madeApp = await podman(['create', '--name', app, ...labelArgs({ ...compose('app'), 'com.docker.compose.depends_on': 'db:service_healthy:false' }), 'berth-test/busybox', 'sleep', '600']);
    expect(madeApp.exitCode, madeApp.stderr).toBe(0);

    const res = await berthOnPodman(['wake', app], { timeout: 80_000 });
    expect(res.exitCode, `${res.stdout}\n${res.stderr}`).toBe(0);
    const evs = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; message: string });
    expect(evs.map((e) => e.event)).toEqual(['starting', 'waking_dep', 'dep_ready', 'container_woke', 'waiting_ready', 'ready']);
    expect(evs[2]!.message).toBe(`dependency ${db} is healthy`);
    // The oracle: Podman itself says the dependency is healthy and the app runs.
    const health = await podman(['inspect', '--format', '{{.State.Health.Status}} {{.State.Running}}', db]);
    expect(health.stdout.trim()).toBe('healthy true');
    expect((await podman(['inspect', '--format', '{{.State.Running}}', app])).stdout.trim()).toBe('true');
  });
});
