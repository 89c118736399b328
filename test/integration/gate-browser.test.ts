/**
 * A cold page load in Chromium (Debian's, driven by playwright-core) through
 * real nginx running docs/gate/nginx.conf in front of berth's gate: the
 * browser gets berth's loading page from nginx's error_page, follows the wake
 * over the event stream nginx passes through, and lands on the app's own page
 * without a manual reload. Hosts are *.localhost, which Chromium resolves to
 * 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';
import { ServeHarness, httpdCmd, isRunning } from './serve-harness.js';
import { startNginx, type RunningProxy } from './gate-proxies.js';

const h = new ServeHarness();
const tmp = mkdtempSync(join(tmpdir(), 'berth-gate-browser-'));
const host = `app-${h.run}.localhost`;
const name = uniqueName('gate-page');
let nginx: RunningProxy | undefined;
let browser: BrowserContext;
let profile = '';

beforeAll(async () => {
  requireTool('/usr/bin/chromium');
  const port = 30_000 + Math.floor(Math.random() * 2000); // outside the ephemeral range the proxy's port comes from
  const page = `printf '<!doctype html><title>The App</title><h1 id=app>app-page</h1>' > /www/index.html`;
  await runContainer({
    name,
    cmd: `sleep 2 && ${httpdCmd(page)}`,
    labels: h.labels({ 'berth.proxy.host': host, 'berth.proxy.port': '8080' }),
    start: false,
    exposedPorts: { '8080/tcp': {} },
    host: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } },
  });
  h.made.push(name);
  await h.start(['--api-listen', '127.0.0.1:0', '--trusted-proxy', '127.0.0.1']);
  const api = h.records<{ event?: string; listener?: string; listen?: string }>().find((r) => r.event === 'listening' && r.listener === 'api')!.listen!;
  mkdirSync(join(tmp, 'nginx'));
  nginx = await startNginx(join(tmp, 'nginx'), 'nginx.conf', api, [{ host, upstream: `127.0.0.1:${port}` }]);
  profile = join(tmp, 'chromium');
  browser = await launchChromium(profile);
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await nginx?.stop();
  await h.stop();
  await Promise.all(h.made.map(removeContainer));
  rmSync(tmp, { recursive: true, force: true });
});

describe('the gate behind nginx: a cold page load in chromium', () => {
  it('shows the loading page, lists the wake events live, and lands on the app without a manual reload', async () => {
    expect(await isRunning(name)).toBe(false);
    const page = await browser.newPage();
    const first = await page.goto(`http://${host}:${nginx!.port}/`);
    expect(first!.status()).toBe(503);
    expect(await page.title()).toBe(`Waking ${name}…`);
    await page.waitForSelector('#events li[data-event="waiting_ready"]', { timeout: 30_000 });
    await page.waitForSelector('#app', { timeout: 60_000 });
    expect(await page.textContent('#app')).toBe('app-page');
    expect(page.url()).toBe(`http://${host}:${nginx!.port}/`);
    await page.close();
  });
});
