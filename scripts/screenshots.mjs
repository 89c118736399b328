#!/usr/bin/env node
/**
 * npm run screenshots [-- OUT]   pictures of berth's live views, taken from real runs:
 *
 *   stats.png     `berth stats` (live table with sparklines) in tmux, against the demo project
 *   topology.png  `berth topology` (live map) in tmux, against the demo project
 *   loading.png   `berth serve`'s loading page in headless Chromium while a stopped container wakes
 *   overview.png  the three in one picture (the README shows it)
 *
 * OUT defaults to docs/pictures. The demo project is started with scripts/demo.sh start under its own
 * name (BERTH_PICTURES_PROJECT, default berth-pictures) so a running `npm run demo` is left alone.
 * Everything started here (project, tmux sessions, serve, the route container, Chromium) is removed
 * on the way out, on failure and on SIGINT/SIGTERM too. Needs tmux, /usr/bin/chromium and an engine
 * (scripts/demo.sh start brings one up as the demo does) and a built berth (npm run build).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { terminalPage } from './ansi-html.mjs';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BERTH = join(ROOT, 'bin/berth.js');
const OUT = resolve(process.argv[2] ?? process.env.BERTH_PICTURES_OUT ?? join(ROOT, 'docs/pictures'));
const PROJECT = process.env.BERTH_PICTURES_PROJECT ?? 'berth-pictures';
const TAG = randomBytes(3).toString('hex');
const ROUTE_LABEL = 'berth.pictures';
const CHROMIUM = '/usr/bin/chromium';

const log = (msg) => process.stderr.write(`screenshots: ${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** What to undo, newest first. */
const cleanups = [];
let cleaning;
let interrupted = false;
function cleanup() {
  cleaning ??= (async () => {
    for (const undo of cleanups.reverse()) {
      try {
        await undo();
      } catch (err) {
        log(`cleanup: ${err.message}`);
      }
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    interrupted = true;
    cleanup().then(() => process.exit(130));
  });

/** Calls `probe` every `everyMs` until it returns something other than undefined, for at most `ms`. */
async function waitFor(what, probe, ms, everyMs = 200) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > end) throw new Error(`gave up after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

async function tmuxSession(name, columns, rows, command) {
  await run('tmux', ['new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), command]);
  cleanups.push(() => run('tmux', ['kill-session', '-t', name]).catch(() => {}));
}
const capture = async (name) => (await run('tmux', ['capture-pane', '-e', '-p', '-t', name])).stdout;
const strip = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');

/** `html` rendered in Chromium; the element `selector` saved as `file`. */
async function shoot(browser, html, file, selector = '#term') {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 }, deviceScaleFactor: 1 });
  await page.setContent(html, { waitUntil: 'load' });
  await (await page.$(selector)).screenshot({ path: file });
  await page.close();
}

/** `berth serve` on a free loopback port, routing only this run's container; resolves to its port. */
async function startServe() {
  const child = spawn('node', [BERTH, 'serve', '--listen', '127.0.0.1:0', '--json', '--filter', `label=${ROUTE_LABEL}=${TAG}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([gone, sleep(10_000)]);
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`berth serve did not listen within 30 s: ${stderr}`)), 30_000);
    child.once('exit', (code) => rej(new Error(`berth serve exited ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (l) => {
      const rec = l.startsWith('{') ? JSON.parse(l) : {};
      if (rec.event !== 'listening') return;
      clearTimeout(timer);
      res(Number(rec.listen.split(':').pop()));
    });
  });
}

async function loadingPicture(browser, file) {
  const name = `pictures-web-${TAG}`;
  const host = `web-${TAG}.localhost`;
  // busybox httpd that takes a few seconds to come up, so the page has wake steps to show
  const cmd = `mkdir -p /www && printf '<!doctype html><title>web</title><h1>web</h1>' > /www/index.html && sleep 6 && exec httpd -f -p 8080 -h /www`;
  const labels = { [ROUTE_LABEL]: TAG, 'berth.proxy.host': host, 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' };
  await run('docker', ['create', '--name', name, ...Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]), 'berth-test/busybox', 'sh', '-c', cmd]);
  cleanups.push(() => run('docker', ['rm', '-f', name]).catch(() => {}));
  const port = await startServe();
  const page = await browser.newPage({ viewport: { width: 640, height: 480 }, deviceScaleFactor: 1 });
  // Chromium aborts a navigation with ERR_NETWORK_CHANGED when the engine adds or removes a veth (other
  // containers starting); that is the host, not berth: go again
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(`http://${host}:${port}/`);
      break;
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('ERR_NETWORK_CHANGED')) throw err;
    }
  }
  await page.waitForSelector('#events li[data-event="waiting_ready"]', { timeout: 30_000 });
  // the card and its shadow, not the empty page around it
  const box = await (await page.$('main.card')).boundingBox();
  const m = 24;
  await page.screenshot({ path: file, clip: { x: Math.max(0, box.x - m), y: Math.max(0, box.y - m), width: box.width + 2 * m, height: box.height + 2 * m } });
  await page.close();
}

async function main() {
  if (!statSync(join(ROOT, 'dist/bundle'), { throwIfNoEntry: false })) throw new Error('berth is not built: run `npm run build`');
  mkdirSync(OUT, { recursive: true });
  // demo.sh start brings up an engine when none answers; then it is ours to stop (test-engine.sh down)
  const engineWasUp = await run('docker', ['version']).then(
    () => true,
    () => false,
  );
  if (!engineWasUp) cleanups.push(() => run('bash', [join(ROOT, 'scripts/test-engine.sh'), 'down'], { cwd: ROOT }));
  log(`starting the demo project ${PROJECT}`);
  await run('bash', [join(ROOT, 'scripts/demo.sh'), 'start'], { env: { ...process.env, BERTH_DEMO_PROJECT: PROJECT }, cwd: ROOT });
  cleanups.push(() => run('bash', [join(ROOT, 'scripts/demo.sh'), 'stop'], { env: { ...process.env, BERTH_DEMO_PROJECT: PROJECT }, cwd: ROOT }));

  const statsCmd = `node ${BERTH} stats --project ${PROJECT}`;
  const topoCmd = `node ${BERTH} topology --project ${PROJECT} --interval 2s`;
  const stats = `berth-pictures-stats-${TAG}`;
  const topo = `berth-pictures-topology-${TAG}`;
  log(`tmux sessions ${stats} and ${topo}, route container pictures-web-${TAG}`);
  await tmuxSession(stats, 160, 8, statsCmd);
  await tmuxSession(topo, 96, 26, topoCmd);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  cleanups.push(() => browser.close());

  log('loading page');
  await loadingPicture(browser, join(OUT, 'loading.png'));

  log('topology map');
  // a moment when a real event travels an edge: a dot (●) on an arrow line
  const topoScreen = await waitFor(
    'a dot on a topology edge',
    async () => {
      const s = await capture(topo);
      return strip(s)
        .split('\n')
        .some((l) => l.includes('▶') && l.includes('●'))
        ? s
        : undefined;
    },
    20_000,
    100,
  ).catch(() => capture(topo));
  await shoot(browser, terminalPage(topoScreen, topoCmd.replace(`node ${BERTH}`, 'berth')), join(OUT, 'topology.png'));

  log('stats table');
  // enough history that the sparklines have a shape: ten samples (bars) in each of the worker's three,
  // or as many as they are wide when they are narrower (long container names leave less room)
  const statsScreen = await waitFor(
    'ten samples in the stats sparklines',
    async () => {
      const s = await capture(stats);
      const lines = strip(s).split('\n');
      const header = lines.find((l) => l.startsWith('NAME')) ?? '';
      const width = header.lastIndexOf('MEM') - header.lastIndexOf('CPU') - 3;
      const row = lines.find((l) => l.startsWith(`${PROJECT}-worker-1`));
      const bars = row?.match(/[▁▂▃▄▅▆▇█]/g)?.length ?? 0;
      return width > 0 && bars >= 3 * Math.min(10, width) ? s : undefined;
    },
    40_000,
  );
  await shoot(browser, terminalPage(statsScreen, statsCmd.replace(`node ${BERTH}`, 'berth')), join(OUT, 'stats.png'));

  log('overview');
  const img = (f) => `data:image/png;base64,${readFileSync(join(OUT, f)).toString('base64')}`;
  const overview = `<!doctype html><meta charset="utf-8"><style>
body{margin:0;background:#fff}
#all{display:inline-flex;flex-direction:column;gap:14px;padding:14px;background:#f4f4f4}
#row{display:flex;gap:14px;align-items:flex-start}
img{display:block;border-radius:6px;box-shadow:0 1px 4px #0003}
</style><div id="all"><img src="${img('stats.png')}"><div id="row"><img src="${img('topology.png')}"><img src="${img('loading.png')}"></div></div>`;
  await shoot(browser, overview, join(OUT, 'overview.png'), '#all');
  for (const f of ['stats.png', 'topology.png', 'loading.png', 'overview.png']) log(`${join(OUT, f)}  ${statSync(join(OUT, f)).size} bytes`);
}

try {
  await main();
} catch (err) {
  if (!interrupted) log(`failed: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
