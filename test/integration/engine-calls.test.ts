// The engine calls long-running commands make, recorded at the engine's socket (test/helpers/engine-recorder.ts):
// serve and watch-idle each hold one event subscription and list no containers after start-up, and a cold
// wake through serve makes few engine calls.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EngineRecorder, stripVersion, type RecordedRequest } from '../helpers/engine-recorder.js';
import { removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { httpdCmd, request, ServeHarness } from './serve-harness.js';
import { watchIdle } from './idle-helpers.js';

const made: string[] = [];
const recorders: EngineRecorder[] = [];
const harnesses: ServeHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.stop();
  for (const r of recorders.splice(0)) await r.stop();
});
afterAll(async () => {
  await Promise.all([...made, ...harnesses.flatMap((h) => h.made)].map(removeContainer));
});

async function recorder(): Promise<EngineRecorder> {
  const r = await EngineRecorder.start();
  recorders.push(r);
  return r;
}

const path = (r: RecordedRequest) => stripVersion(r.path);
const isStats = (id: string) => (r: RecordedRequest) => r.method === 'GET' && path(r).startsWith('/containers/') && path(r).endsWith('/stats') && path(r).includes(id);

/**
 * The idle rounds of a lifecycle owner, counted at the engine: each round reads the counters of an awake
 * managed container (GET /containers/ID/stats). Waits for `rounds` of them after the first, and returns
 * that window's requests.
 */
async function roundsWindow(rec: EngineRecorder, id: string, rounds: number): Promise<{ window: RecordedRequest[]; ms: number }> {
  const stats = () => rec.requests().filter(isStats(id));
  await waitFor(() => stats().length >= rounds + 1, 30_000);
  const s = stats();
  const from = s[0]!.at;
  const to = s[rounds]!.at;
  return { window: rec.requests().filter((r) => r.at > from && r.at <= to), ms: to - from };
}

const describeWindow = (rec: EngineRecorder, w: RecordedRequest[]) =>
  `engine calls in the window:\n  ${w.map((r) => `${r.method} ${path(r)}`).join('\n  ')}\nall calls:\n  ${rec.lines().join('\n  ')}`;

/** Over 5 idle rounds of the container `id`: no container listing, and one /events request, still open. */
async function expectOneSubscriptionNoListing(rec: Awaited<ReturnType<typeof recorder>>, id: string): Promise<void> {
  const { window, ms } = await roundsWindow(rec, id, 5);
  const why = describeWindow(rec, window);
  expect(ms, why).toBeGreaterThanOrEqual(4000);
  expect(
    window.filter((r) => path(r) === '/containers/json'),
    why,
  ).toEqual([]);
  expect(rec.open('/events').length, why).toBe(1);
  expect(rec.requests().filter((r) => path(r) === '/events').length, why).toBe(1);
}

describe('engine calls of long-running commands', () => {
  it('a running serve with several routes holds one /events connection and lists no containers after start-up', async () => {
    const rec = await recorder();
    const h = new ServeHarness();
    harnesses.push(h);
    const db = uniqueName('calls-db');
    made.push(db);
    await runContainer({ name: db, cmd: 'exec sleep 600', labels: { [`berth.test.serve`]: h.run } });
    await h.container('calls-a', httpdCmd('echo a > /www/index.html'), { 'berth.proxy.host': 'a.calls.test', 'berth.proxy.port': '8080', 'berth.idle.depends_on': db }, true);
    await h.container('calls-b', httpdCmd('echo b > /www/index.html'), { 'berth.proxy.host': 'b.calls.test', 'berth.proxy.port': '8080' });
    await h.container('calls-c', httpdCmd('echo c > /www/index.html'), { 'berth.proxy.host': 'c.calls.test', 'berth.proxy.port': '8080' });
    await h.start(['--idle-interval', '1s'], { DOCKER_HOST: rec.dockerHost });
    const dbId = (await (await import('../helpers/docker.js')).docker.getContainer(db).inspect()).Id;
    // The dependency is awake and managed (not a route): each idle round reads its counters.
    await expectOneSubscriptionNoListing(rec, dbId);
  }, 90_000);

  it('a running watch-idle holds one /events connection and lists no containers after start-up', async () => {
    const rec = await recorder();
    const name = uniqueName('calls-idle');
    made.push(name);
    const c = await runContainer({ name, cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '1h' } });
    const w = watchIdle([name], [], { ...process.env, DOCKER_HOST: rec.dockerHost } as Record<string, string>);
    try {
      await expectOneSubscriptionNoListing(rec, c.id);
    } finally {
      await w.stop();
    }
  }, 90_000);

  it('a cold wake through serve makes at most 4 engine calls', async () => {
    const rec = await recorder();
    const h = new ServeHarness();
    harnesses.push(h);
    const app = await h.container('calls-cold', httpdCmd('echo cold > /www/index.html'), { 'berth.proxy.host': 'cold.calls.test', 'berth.proxy.port': '8080' });
    await h.start(['--idle-interval', '1s'], { DOCKER_HOST: rec.dockerHost });
    const appId = (await (await import('../helpers/docker.js')).docker.getContainer(app).inspect()).Id;
    const t0 = Date.now();
    const answer = await request(h.port, 'cold.calls.test', '/', { headers: { accept: 'text/plain' } });
    // Not the wake's: serve's stats history samples a route once it runs (GET /containers/ID/stats).
    const calls = rec.requests(t0).filter((r) => path(r) !== '/events' && !path(r).endsWith('/stats'));
    const list = calls.map((r) => `${r.method} ${path(r).replace(app, 'APP').replace(appId, 'APP')}`);
    const all = rec.lines(t0).map((l) => l.replace(app, 'APP').replace(appId, 'APP'));
    const why = `engine calls of one cold wake through serve (${list.length}):\n  ${list.join('\n  ')}\nevery call from the request on:\n  ${all.join('\n  ')}`;
    console.log(why);
    expect(answer.status, why).toBe(200);
    expect(answer.body.trim(), why).toBe('cold');
    // The upstream's second inspect (proxy/upstream.ts: the address the readiness step already had) is one of
    // these; it goes once the wake hands its ready address to the upstream (the "owners" change).
    expect(list.length, why).toBeLessThanOrEqual(4);
  }, 90_000);
});
