/**
 * A wake fails at once when a healthcheck says unhealthy, as docker compose fails a service_healthy
 * dependency, instead of waiting out its budget: real Postgres 15 (berth-test/real) whose pg_isready
 * healthcheck asks a port nothing listens on. Through `berth wake` (the dependency, and the container
 * woken itself) and through `berth serve` (a request answered 503 `unhealthy`, not held for the budget).
 * And the other side: docker's `unhealthy` of a paused container, kept after the unpause until the next
 * probe, does not fail a wake that unpauses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ndjsonLines } from '../helpers/lines.js';
import { berth, docker, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { POSTGRES_CMD, REAL_IMAGE, pgHealthcheck, requireRealImage } from '../helpers/real-image.js';
import { ServeHarness, httpdCmd, request } from './serve-harness.js';

const made: string[] = [];
const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.test`;

beforeAll(async () => {
  await requireRealImage();
}, 60_000);

afterAll(async () => {
  await h.stop();
  await Promise.all([...made, ...h.made].map(removeContainer));
});

/** A Postgres container, not started; its healthcheck asks `port` (5499: never healthy). */
async function postgres(prefix: string, port: number, labels: Record<string, string> = {}): Promise<string> {
  const name = uniqueName(prefix);
  await runContainer({ name, image: REAL_IMAGE, user: 'postgres', cmd: POSTGRES_CMD, healthcheck: pgHealthcheck(port), labels, start: false });
  made.push(name);
  return name;
}

async function app(prefix: string, labels: Record<string, string>): Promise<string> {
  const name = uniqueName(prefix);
  await runContainer({ name, cmd: 'exec sleep 600', labels, start: false });
  made.push(name);
  return name;
}

const events = (stdout: string) => ndjsonLines<{ event: string; dep?: string; message: string }>(stdout);

const running = async (name: string) => (await docker.getContainer(name).inspect()).State.Running;

describe('berth wake: unhealthy fails at once (real Postgres)', () => {
  it('fails when a service_healthy dependency turns unhealthy, within seconds of a 120 s budget, naming it (exit 1)', async () => {
    const db = await postgres('pgbad', 5499);
    const web = await app('pgapp', { 'berth.idle.depends_on': `${db}:service_healthy` });
    const t0 = Date.now();
    const res = await berth(['wake', web, '--json']);
    const ms = Date.now() - t0;
    console.log(`berth wake ${web}: failed after ${ms} ms (budget 120 s, 60 s of it the dependency's own; healthcheck every 1 s, 3 retries)`);
    expect(res.exitCode, res.stderr).toBe(1);
    const first = res.stderr.split('\n')[0];
    expect(first).toBe(`berth: ${db} is unhealthy: its healthcheck failed 3 times in a row (last output: 127.0.0.1:5499 - no response)`);
    // three failed probes a second apart, then at most a poll: far inside the 120 s budget (a quarter of it leaves room for load)
    expect(ms).toBeLessThan(30_000);
    const evs = events(res.stdout);
    expect(evs.map((e) => e.event)).toEqual(['starting', 'waking_dep', 'error']);
    expect(evs.at(-1)!.message).toMatch(new RegExp(`^${db} is unhealthy: `));
    expect(await running(web)).toBe(false); // the app is never started on an unhealthy dependency
  }, 180_000);

  it('fails when the container woken turns unhealthy (not at the end of --timeout)', async () => {
    const db = await postgres('pgroot', 5499);
    const t0 = Date.now();
    const res = await berth(['wake', db, '--timeout', '90s']);
    const ms = Date.now() - t0;
    console.log(`berth wake ${db} (itself unhealthy): failed after ${ms} ms (budget 90 s)`);
    expect(res.exitCode, res.stderr).toBe(1);
    expect(res.stderr.split('\n')[0]).toMatch(new RegExp(`^berth: ${db} is unhealthy: its healthcheck failed 3 times in a row`));
    expect(ms).toBeLessThan(30_000);
  }, 180_000);

  it('wakes a paused healthy Postgres although docker reports it unhealthy until its next probe', async () => {
    const db = await postgres('pgpause', 5432);
    await docker.getContainer(db).start();
    await waitFor(async () => (await docker.getContainer(db).inspect()).State.Health?.Status === 'healthy', 30_000, 200);
    await docker.getContainer(db).pause();
    // docker's own view of the paused container: unhealthy, with no failed probe behind it
    const health = await waitFor(
      async () => {
        const hs = (await docker.getContainer(db).inspect()).State.Health;
        return hs?.Status === 'unhealthy' ? hs : undefined;
      },
      10_000,
      100,
    );
    expect(health.FailingStreak).toBe(0);
    const res = await berth(['wake', db, '--json']);
    expect(res.exitCode, res.stderr).toBe(0);
    const evs = events(res.stdout);
    expect(evs.find((e) => e.event === 'container_woke')!.message).toBe(`unpaused ${db}`);
    expect(evs.at(-1)!.message).toMatch(new RegExp(`^${db} is ready \\(healthy\\)`));
  });
});

describe('berth serve: unhealthy fails the held request at once (real Postgres)', () => {
  it('answers 503 with kind unhealthy within seconds, not when the wake budget ends', async () => {
    const db = await postgres('pgserve', 5499);
    const web = uniqueName('pgweb');
    await runContainer({
      name: web,
      cmd: httpdCmd('echo ok > /www/index.html'),
      labels: h.labels({ 'berth.proxy.host': host('web'), 'berth.proxy.port': '8080', 'berth.idle.depends_on': `${db}:service_healthy` }),
      start: false,
    });
    h.made.push(web);
    await h.start();
    const t0 = Date.now();
    const res = await request(h.port, host('web'), '/', { headers: { accept: 'application/json' }, timeoutMs: 150_000 });
    const ms = Date.now() - t0;
    console.log(`serve: a request to ${web} answered ${res.status} after ${ms} ms (budget 120 s, 60 s of it the dependency's own)`);
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'unhealthy', container: web });
    expect(ms).toBeLessThan(30_000);
    // serve's own record of the failed wake (its stdout may arrive just after the answer)
    const err = await waitFor(
      () => h.records<{ type: string; event?: string; container?: string; message?: string }>().find((r) => r.type === 'wake' && r.event === 'error' && r.container === web),
      10_000,
    );
    expect(err.message).toMatch(new RegExp(`^${db} is unhealthy: its healthcheck failed 3 times in a row`));
    expect(await running(web)).toBe(false);
  }, 180_000);
});
