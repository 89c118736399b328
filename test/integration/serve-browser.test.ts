/**
 * The loading page in a real headless browser (Debian's chromium driven by
 * playwright-core): a sleeping route shows the page, the wake events appear,
 * and the browser lands on the app's own page without a manual reload.
 * Route hosts are *.localhost names, which chromium resolves to 127.0.0.1.
 * Without the token (and with none configured) the page is the public's:
 * no dependency names, budgets or failure details; a
 * second serve with a bearer token shows the details to a client with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { removeContainer } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';
import { ServeHarness, httpdCmd, isRunning, wakeFrames } from './serve-harness.js';

const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.localhost`;
const c: Record<string, string> = {};
const pub = new ServeHarness(); // started with --token-file
const pubHost = (n: string) => `${n}-${pub.run}.localhost`;
const TOKEN = 'browser-test-token';
let tokenDir = '';
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  requireTool('/usr/bin/chromium');
  const app = `printf '<!doctype html><title>The App</title><h1 id=app>app-page</h1>' > /www/index.html && sleep 2`;
  c.app = await h.container('page', httpdCmd(app), { 'berth.proxy.host': host('app'), 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' });
  // The probe keeps it from counting as ready in the moment before it exits.
  c.broken = await h.container('pagebad', 'exit 3', { 'berth.proxy.host': host('bad'), 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' });
  await h.start();
  c.dep = await pub.container('pagedep', 'exec sleep 3600', {});
  c.pubApp = await pub.container('pubapp', httpdCmd(app), {
    'berth.proxy.host': pubHost('app'),
    'berth.proxy.port': '8080',
    'berth.idle.probe': 'http://container:8080/',
    'berth.idle.depends_on': c.dep,
  });
  c.pubBad = await pub.container('pubbad', 'exit 3', { 'berth.proxy.host': pubHost('bad'), 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' });
  tokenDir = mkdtempSync(join(tmpdir(), 'berth-token-'));
  const tokenFile = join(tokenDir, 'token');
  writeFileSync(tokenFile, TOKEN + '\n');
  await pub.start(['--token-file', tokenFile]);
  profile = mkdtempSync(join(tmpdir(), 'berth-chromium-'));
  browser = await launchChromium(profile);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  if (tokenDir) rmSync(tokenDir, { recursive: true, force: true });
  await h.stop();
  await pub.stop();
  await Promise.all([...h.made, ...pub.made].map(removeContainer));
});

/**
 * page.goto, again when Chromium aborts the navigation with net::ERR_NETWORK_CHANGED: it does so when the
 * machine's network interfaces change, which the engine does as other tests' containers start and stop
 * (their veths). That is the browser reacting to the host, not to berth.
 */
async function gotoSteady(page: Page, url: string): ReturnType<Page['goto']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await page.goto(url);
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('ERR_NETWORK_CHANGED')) throw err;
    }
  }
}

describe('berth serve: the loading page in chromium', () => {
  it('shows the page, lists the wake events live, and lands on the app without a manual reload', async () => {
    expect(await isRunning(c.app!)).toBe(false);
    const page = await browser.newPage();
    const first = await gotoSteady(page, `http://${host('app')}:${h.port}/`);
    expect(first!.status()).toBe(200);
    expect(await page.title()).toBe(`Waking ${c.app}…`);
    expect(await page.textContent('#name')).toBe(c.app);
    // Events arrive over SSE while the app is still starting (it sleeps 2 s before listening).
    await page.waitForSelector('#events li[data-event="waiting_ready"]', { timeout: 30_000 });
    const seen = await page.$$eval('#events li', (lis) => lis.map((li) => li.getAttribute('data-event')));
    expect(seen.slice(0, 3)).toEqual(['starting', 'container_woke', 'waiting_ready']);
    await page.waitForSelector('#app', { timeout: 60_000 });
    expect(await page.textContent('#app')).toBe('app-page');
    expect(await page.title()).toBe('The App');
    expect(page.url()).toBe(`http://${host('app')}:${h.port}/`);
    await page.close();
  });

  it('shows a failed wake plainly', async () => {
    const page = await browser.newPage();
    await gotoSteady(page, `http://${host('bad')}:${h.port}/`);
    await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    // no token configured: the reason is for serve's output, not for whoever opens the page
    expect(await page.textContent('#error')).toBe("the wake failed (the reason is in berth serve's output)");
    expect(await page.textContent('#status')).toBe('The container could not be woken.');
    // The failure variant: its own heading and title, and a way to try again.
    expect(await page.textContent('#heading')).toBe(`${c.broken} could not be woken`);
    expect(await page.title()).toBe(`${c.broken} could not be woken`);
    expect(await page.isVisible('#retry a')).toBe(true);
    expect(await page.textContent('#retry a')).toBe('Try again');
    await page.close();
  });
});

describe('berth serve: the loading page to the public (a token is set)', () => {
  it('lists the steps of a wake without dependency names or budgets, and lands on the app', async () => {
    const page = await browser.newPage();
    await gotoSteady(page, `http://${pubHost('app')}:${pub.port}/`);
    await page.waitForSelector('#events li[data-event="waiting_ready"]', { timeout: 30_000 });
    const shown = await page.$$eval('#events li', (lis) => lis.map((li) => `${li.getAttribute('data-event')}: ${li.textContent}`));
    expect(shown.some((t) => t.startsWith('waking_dep: '))).toBe(true);
    expect(shown.join('\n')).not.toContain(c.dep!);
    expect(shown.join('\n')).not.toMatch(/budget|probe|http:\/\/container/);
    await page.waitForSelector('#app', { timeout: 60_000 });
    await page.close();
    // The same wake's history, to an anonymous client and to one with the token.
    const anyone = await wakeFrames(pub.port, c.pubApp!);
    expect(anyone).toContain('"event":"waking_dep"');
    expect(anyone).not.toContain(c.dep!);
    const admin = await wakeFrames(pub.port, c.pubApp!, { authorization: `Bearer ${TOKEN}` });
    expect(admin).toContain(`"dep":"${c.dep}"`);
    expect(admin).toMatch(/budget/);
  });

  it('shows a failure without its internal reason', async () => {
    const page = await browser.newPage();
    await gotoSteady(page, `http://${pubHost('bad')}:${pub.port}/`);
    await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#heading')).toBe(`${c.pubBad} could not be woken`);
    expect(await page.textContent('#error')).toBe("the wake failed (the reason is in berth serve's output)");
    expect(await page.isVisible('#retry a')).toBe(true);
    // The error page a reload gets while the failure is fresh: no reason either.
    const again = await gotoSteady(page, `http://${pubHost('bad')}:${pub.port}/`);
    expect(again!.status()).toBe(503);
    expect(await page.content()).not.toMatch(/exited with code/);
    await page.close();
  });
});
