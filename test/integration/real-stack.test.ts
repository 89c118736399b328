/**
 * berth against real software: a docker-compose v1 project of Debian's
 * Postgres 15, Redis, a Python app (psycopg2 over TLS) and nginx
 * (test/helpers/real-stack.ts). serve fronts nginx and manages the rest as
 * its dependencies (read from the compose file). Checked: the stack sleeps in
 * dependency order with Postgres shut down cleanly (exit 0, no crash recovery
 * at the next start), its logs read asleep equal docker-compose logs, a page load in Chromium wakes it through the loading
 * page with db healthy before app starts, the data survives the cycle, and a
 * quiet psql session to db keeps db awake while the rest of the stack sleeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium, type BrowserContext } from 'playwright-core';
import { BERTH_BIN, waitFor } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';
import { RealStack, type Service } from '../helpers/real-stack.js';
import { ServeHarness, engineEvents, request } from './serve-harness.js';

/** [container, line] pairs grouped by container, each group sorted (a multiset per container). */
const byContainer = (pairs: Array<[string, string]>) => {
  const m = new Map<string, string[]>();
  for (const [name, msg] of pairs) m.set(name, [...(m.get(name) ?? []), msg.trimEnd()]);
  return Object.fromEntries([...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.sort()]));
};

const IDLE_S = 6;
const h = new ServeHarness();
const host = `shop-${h.run}.localhost`;
const stack = new RealStack({ serve: h.run, idle: `${IDLE_S}s`, host });
let browser: BrowserContext;
let profile = '';

interface IdleRec {
  type: string;
  ts: string;
  container: string;
  to?: string;
  action?: string;
  reason?: string;
}

const sleeps = () => h.records<IdleRec>().filter((r) => r.type === 'idle' && r.to === 'napping' && r.action === 'stop');
const sleptAfter = (svc: Service, from: number) => sleeps().find((r) => r.container === stack.name(svc) && Date.parse(r.ts) >= from);

async function waitAsleep(svcs: Service[], from: number, timeoutMs = 120_000): Promise<Record<string, IdleRec>> {
  return waitFor(
    () => {
      const got = Object.fromEntries(svcs.map((s) => [s, sleptAfter(s, from)]));
      return Object.values(got).every(Boolean) ? (got as Record<string, IdleRec>) : undefined;
    },
    timeoutMs,
    250,
  ).catch((err: Error) => {
    throw new Error(`${err.message}; sleeps so far: ${JSON.stringify(sleeps())}\nserve stderr: ${h.stderr.slice(-3000)}`);
  });
}

/** Engine events of the stack's containers since `sinceSec`, as "service action" lines. */
const stackEvents = async (sinceSec: number) =>
  (await engineEvents(sinceSec, [`label=com.docker.compose.project=${stack.project}`, 'type=container'])).map((e) => `${e.Actor.Attributes['com.docker.compose.service']} ${e.Action}`);

beforeAll(async () => {
  const executablePath = requireTool('/usr/bin/chromium');
  await stack.up();
  await h.start();
  profile = mkdtempSync(join(tmpdir(), 'berth-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await h.stop();
  await stack.down();
});

describe('serve in front of a compose stack of real Postgres, Redis, a Python app and nginx', () => {
  it('serves the app warm, then puts the stack to sleep in dependency order with Postgres shut down cleanly', async () => {
    const warm = await request(h.port, host, '/');
    expect(warm.status).toBe(200);
    expect(warm.body).toMatch(/<h1 id=app>visit 1<\/h1>/);
    expect(warm.body).toContain('<p id=tls>True</p>'); // psycopg2's session is TLS, as Debian's Postgres offers
    expect(warm.body).toContain('<p id=cache>+PONG</p>');
    const from = Date.now() - 1000;
    const slept = await waitAsleep(['web', 'app', 'db', 'cache'], from);
    const at = (s: Service) => Date.parse(slept[s]!.ts);
    expect(at('web')).toBeLessThanOrEqual(at('app'));
    expect(at('app')).toBeLessThanOrEqual(at('db'));
    expect(at('app')).toBeLessThanOrEqual(at('cache'));
    const db = await stack.state('db');
    expect(db.Running).toBe(false);
    expect(db.ExitCode).toBe(0); // a smart shutdown that finished, not docker's SIGKILL (137)
  }, 240_000);

  it("reads the sleeping stack's logs as docker-compose logs does, line for line", async () => {
    // Every container of the project is stopped now (the test before put the stack to sleep).
    const r = await execa('node', [BERTH_BIN, 'logs', '--project', stack.project, '--json'], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const ours = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { name: string; msg: string })
      .map((rec): [string, string] => [rec.name.slice(stack.project.length + 1), rec.msg]);
    const theirs = (await stack.compose(['logs', '--no-color'])).stdout
      .split('\n')
      .filter((l) => l.includes(' | '))
      .map((l): [string, string] => [l.slice(0, l.indexOf(' | ')).trim(), l.slice(l.indexOf(' | ') + 3)]);
    expect(ours.length).toBeGreaterThan(20);
    // Per container, as multisets: compose prints each container's log file in order, berth merges by time.
    expect(byContainer(ours)).toEqual(byContainer(theirs));
  }, 120_000);

  it('wakes the stack from a page load in Chromium, db healthy before app starts, and the data survives', async () => {
    const t0 = Math.floor(Date.now() / 1000) - 1;
    const page = await browser.newPage();
    const first = await page.goto(`http://${host}:${h.port}/`);
    expect(first!.status()).toBe(200);
    expect(await page.title()).toMatch(/^Waking /);
    await page.waitForSelector('#app', { timeout: 120_000 });
    // The count goes on from the first life's visit: the table survived the sleep (the loading page may
    // itself ask once before it shows the app, so the number is not pinned).
    const visit = Number(/^visit (\d+)$/.exec((await page.textContent('#app')) ?? '')?.[1]);
    expect(visit).toBeGreaterThanOrEqual(2);
    expect(await page.title()).toBe('Shop');
    await page.close();
    const events = await stackEvents(t0);
    const healthy = events.indexOf('db health_status: healthy');
    const appStart = events.indexOf('app start');
    expect(healthy, events.join('\n')).toBeGreaterThanOrEqual(0);
    expect(appStart, events.join('\n')).toBeGreaterThan(healthy);
    // Postgres came back from a clean shutdown: no crash recovery.
    const { stdout, stderr } = await execa('docker', ['logs', '--since', String(t0), stack.name('db')]);
    const log = stdout + stderr;
    expect(log).toMatch(/database system was shut down at/);
    expect(log).not.toMatch(/not properly shut down|automatic recovery in progress/);
  }, 240_000);

  it('keeps db awake while a quiet psql session is open, and lets it sleep after', async () => {
    const warm = await request(h.port, host, '/');
    expect(warm.status).toBe(200);
    const from = Date.now() - 1000;
    // A session that sends nothing for longer than three idle timeouts (the way a long query looks on the wire).
    const hold = IDLE_S * 3 + 6;
    const session = stack.psql(`select pg_sleep(${hold});\nselect 'session-done';\n`);
    await waitFor(async () => {
      const r = await stack.psql("select count(*) from pg_stat_activity where query like 'select pg_sleep%' and state = 'active';");
      return r.stdout.trim() === '1';
    }, 60_000);
    // The rest of the stack sleeps around it ...
    await waitAsleep(['web', 'app', 'cache'], from);
    // ... while db, idle by its bytes, stays up for as long as the session is open.
    const done = await session;
    expect(done.exitCode, done.all).toBe(0);
    expect(done.stdout).toContain('session-done');
    expect(sleptAfter('db', from), JSON.stringify(sleeps())).toBeUndefined();
    expect((await stack.state('db')).Running).toBe(true);
    // Closed, it sleeps like the rest.
    await waitAsleep(['db'], from);
    expect((await stack.state('db')).ExitCode).toBe(0);
  }, 300_000);
});
