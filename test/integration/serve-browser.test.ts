/**
 * The loading page in a real headless browser (Debian's chromium driven by
 * playwright-core): a sleeping route shows the page, the wake events appear,
 * and the browser lands on the app's own page without a manual reload.
 * Route hosts are *.localhost names, which chromium resolves to 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { chromium, type BrowserContext } from 'playwright-core';
import { removeContainer } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';
import { ServeHarness, httpdCmd, isRunning } from './serve-harness.js';

const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.localhost`;
const c: Record<string, string> = {};
let browser: BrowserContext;
let profile: string;

beforeAll(async () => {
  const executablePath = requireTool('/usr/bin/chromium');
  const app = `printf '<!doctype html><title>The App</title><h1 id=app>app-page</h1>' > /www/index.html && sleep 2`;
  c.app = await h.container('page', httpdCmd(app), { 'berth.proxy.host': host('app'), 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' });
  // The probe keeps it from counting as ready in the moment before it exits.
  c.broken = await h.container('pagebad', 'exit 3', { 'berth.proxy.host': host('bad'), 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' });
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
  await Promise.all(h.made.map(removeContainer));
});

describe('berth serve: the loading page in chromium', () => {
  it('shows the page, lists the wake events live, and lands on the app without a manual reload', async () => {
    expect(await isRunning(c.app!)).toBe(false);
    const page = await browser.newPage();
    const first = await page.goto(`http://${host('app')}:${h.port}/`);
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
    await page.goto(`http://${host('bad')}:${h.port}/`);
    await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
    expect(await page.textContent('#error')).toMatch(/exited with code 3/);
    expect(await page.textContent('#status')).toBe('The container could not be woken.');
    await page.close();
  });
});
