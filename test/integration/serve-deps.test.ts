/**
 * A route's dependency that does not exist is reported when serve discovers its routes (one line on
 * stderr, and the route's entry in /$berth/status names it), not first by a request's 503; once the
 * dependency is created the report clears and the route wakes it. The route is real Postgres 15
 * (berth-test/real) behind a TCP route, reached with psql. `berth wake` of it fails at once naming the
 * missing dependency (exit 4). The dependency serve's wake started is reported as woken by serve.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { berth, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { POSTGRES_CMD, REAL_IMAGE, pgHealthcheck, requireRealImage } from '../helpers/real-image.js';
import { ServeHarness, freePort, isRunning, request, waitFor } from './serve-harness.js';

const h = new ServeHarness();
const missing = uniqueName('nosuch');
let db = '';
let port = 0;

interface RouteStatus {
  container: string;
  state: string;
  missingDependency?: string;
  problem?: string;
}

const status = async () => (JSON.parse((await request(h.port, 'x', '/$berth/status')).body) as { routes: RouteStatus[] }).routes.find((r) => r.container === db);

beforeAll(async () => {
  await requireRealImage();
  port = await freePort();
  db = uniqueName('pgdeps');
  await runContainer({
    name: db,
    image: REAL_IMAGE,
    user: 'postgres',
    cmd: POSTGRES_CMD,
    healthcheck: pgHealthcheck(5432, 30),
    labels: h.labels({ 'berth.proxy.tcp': `${port}:5432`, 'berth.idle.depends_on': missing }),
    start: false,
  });
  h.made.push(db);
  await h.start();
}, 90_000);

afterAll(async () => {
  await h.stop();
  await Promise.all([...h.made, missing].map(removeContainer));
});

describe('berth serve: a route whose dependency does not exist', () => {
  it('is reported at discovery on stderr and in /$berth/status, before any request', async () => {
    const line = `container ${db} depends on ${missing}, which has no container; a request to ${db} that must wake it fails until it exists`;
    await waitFor(() => h.stderr.includes(line), 10_000);
    expect(h.stderr.split('\n').filter((l) => l.includes(missing))).toEqual([`berth: ${line}`]);
    expect(await status()).toMatchObject({ state: 'napping', missingDependency: missing, problem: `container ${db} depends on ${missing}, which has no container` });
    expect(await isRunning(db)).toBe(false);
  });

  it('berth wake of it fails at once, naming the missing dependency (exit 4)', async () => {
    const t0 = Date.now();
    const res = await berth(['wake', db]);
    expect(res.exitCode).toBe(4);
    expect(res.stderr.split('\n')[0]).toBe(`berth: container ${db} depends on ${missing}, which has no container`);
    expect(Date.now() - t0).toBeLessThan(15_000); // no wait at all: one resolution of its dependencies (bounded for a loaded machine)
    expect(await isRunning(db)).toBe(false);
  });

  it('clears once the dependency exists; a psql session through the route wakes both, the dependency reported as woken by serve', async () => {
    await removeContainer(missing).catch(() => {}); // a retry of this test makes it again
    await runContainer({ name: missing, cmd: 'exec sleep 600', labels: h.labels({}), start: false });
    await waitFor(async () => {
      const st = await status();
      return st && st.missingDependency === undefined;
    }, 15_000);
    expect((await status())?.problem).toBeUndefined();
    const res = await execa('psql', [`host=127.0.0.1 port=${port} user=postgres dbname=postgres sslmode=disable connect_timeout=90`, '-tAc', 'select 40 + 2'], { reject: false, timeout: 120_000 });
    expect(res.stdout.trim(), res.stderr).toBe('42');
    expect(await isRunning(missing)).toBe(true);
    // The dependency serve's own wake started is reported as such by its lifecycle owner, not as started outside it.
    type Idle = { type: string; container?: string; from?: string; to?: string; reason?: string };
    const woke = await waitFor(() => h.records<Idle>().find((r) => r.type === 'idle' && r.container === missing && r.to === 'ready'), 15_000);
    // napping when a round saw it made and stopped before the wake; unknown when the wake came first.
    expect(['napping', 'unknown']).toContain(woke.from);
    expect(woke.reason).toMatch(new RegExp(`^woken by this serve \\(dependency of ${db}\\) \\(Up `));
    expect(h.records<Idle>().filter((r) => r.container === missing && /outside/.test(r.reason ?? ''))).toEqual([]);
  }, 150_000);
});
