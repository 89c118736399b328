#!/usr/bin/env node
// The wake gate's cost on a warm route: wrk through nginx and Caddy, each
// alone (a plain reverse proxy) and asking `berth serve --api-listen`'s gate
// on every request with the recipes of docs/gate/ as written (nginx
// auth_request, with and without the 1 s cache of the 2xx; Caddy
// forward_auth), plus nginx asking a bare Node server that answers 200 to
// everything (what any gate in Node could cost at best). The backend is a
// Node server answering 13 bytes; the route is a host-network container whose
// upstream is that server. Rounds interleaved, medians printed, ratios side
// by side against the proxy alone, and the p50 latency the gate adds.
// Then the cold path: a sleeping route (a host-network busybox httpd, killed
// before each run) asked through nginx with the gate (the recipe, the client
// sending X-Berth-Wait: 1 so the gate holds until ready) and through `berth
// serve`'s own --listen, alternating; the time to the app's first byte.
// Targets (issue 28): nginx+gate cached >= 85% of nginx, uncached >= 55%,
// Caddy+gate >= 50% of Caddy, added p50 <= 0.5 ms, cold first byte through
// nginx within 100 ms of serve's own.
// Usage: node bench/gate.mjs [seconds per run, default 6] [rounds, default 3] [cold wakes each, default 5]
// Needs: nginx-light, caddy, wrk, a built dist/, the test image berth-test/busybox.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstByte, freePort, hostRoute, median, napping, runBench, starter, waitHttp, wrk as wrkRun } from './http-lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.argv[2] ?? 6);
const ROUNDS = Number(process.argv[3] ?? 3);
const COLD_RUNS = Number(process.argv[4] ?? 5);
const CONNS = 50;
const HOST = 'bench.test';
const COLD_HOST = 'cold.bench.test';
const children = [];
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-gate-'));
const container = `berth-bench-gate-${process.pid}`;
const coldContainer = `${container}-cold`;

const start = starter(children);

const wrk = (port) => wrkRun(port, HOST, SECONDS, CONNS);

const body = (text) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');

/** nginx with an http{} snippet, in its own directory. */
async function nginx(name, snippet) {
  const d = join(dir, name);
  mkdirSync(d);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(d, t)};`).join('\n');
  const conf = `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;\npid ${join(d, 'nginx.pid')};\nerror_log ${join(d, 'error.log')} warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n${temp}\n${snippet}\n}\n`;
  writeFileSync(join(d, 'nginx.conf'), conf);
  start('nginx', ['-c', join(d, 'nginx.conf'), '-p', d, '-g', 'daemon off;']);
}

/** The recipe of docs/gate/FILE with its placeholders filled in. */
const recipe = (file, fill) => Object.entries(fill).reduce((t, [k, v]) => t.replaceAll(k, v), body(readFileSync(join(ROOT, 'docs', 'gate', file), 'utf8')));

async function caddy(name, site) {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n${site}\n`);
  const env = { ...process.env, HOME: d, XDG_DATA_HOME: join(d, 'data'), XDG_CONFIG_HOME: join(d, 'config'), GOMAXPROCS: '1' };
  const c = spawn('caddy', ['run', '--config', join(d, 'Caddyfile'), '--adapter', 'caddyfile'], { env, stdio: 'ignore' }); // it logs every start-up step
  children.push(c);
}

async function main() {
  const backend = await freePort();
  start('node', ['-e', `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/plain','content-length':13});s.end('hello, world\\n')}).listen(${backend},'127.0.0.1')`]);
  await waitHttp(backend, HOST, 'backend');
  const bare = await freePort();
  start('node', ['-e', `require('http').createServer((q,s)=>{s.writeHead(200,{'content-length':0});s.end()}).listen(${bare},'127.0.0.1')`]);

  hostRoute(container, HOST, backend);
  const coldApp = await freePort();
  hostRoute(coldContainer, COLD_HOST, coldApp, ['sh', '-c', `mkdir -p /www && echo awake > /www/index.html && exec httpd -f -p 127.0.0.1:${coldApp} -h /www`]);
  const [berthPort, api] = [await freePort(), await freePort()];
  start('node', [
    join(ROOT, 'bin', 'berth.js'),
    'serve',
    '--listen',
    `127.0.0.1:${berthPort}`,
    '--api-listen',
    `127.0.0.1:${api}`,
    '--trusted-proxy',
    '127.0.0.1',
    '--json',
    '--filter',
    `label=berth.bench=${process.pid}`,
  ]);
  await waitHttp(berthPort, HOST, 'berth serve');

  const ports = {};
  for (const k of ['nginx', 'nginx+gate', 'nginx+gate cached', 'nginx+bare', 'caddy', 'caddy+gate']) ports[k] = await freePort();
  const plainNginx = `  upstream backend { server 127.0.0.1:${backend}; keepalive 64; }\n  server {\n    listen 127.0.0.1:${ports.nginx};\n    location / {\n      proxy_pass http://backend;\n      proxy_http_version 1.1;\n      proxy_set_header Connection "";\n      proxy_set_header Host $host;\n    }\n  }`;
  const fill = (port, gate) => ({ BERTH_API: gate, APP_HOST: HOST, APP_UPSTREAM: `127.0.0.1:${backend}`, LISTEN: `127.0.0.1:${port}`, CACHE_DIR: join(dir, `cache-${port}`) });
  await nginx('nginx', plainNginx);
  await nginx('gate', recipe('nginx.conf', fill(ports['nginx+gate'], `127.0.0.1:${api}`)));
  await nginx('cached', recipe('nginx-cached.conf', fill(ports['nginx+gate cached'], `127.0.0.1:${api}`)));
  await nginx('bare', recipe('nginx.conf', fill(ports['nginx+bare'], `127.0.0.1:${bare}`)));
  await caddy('caddy', `http://${HOST}:${ports.caddy} {\n\tbind 127.0.0.1\n\treverse_proxy 127.0.0.1:${backend}\n}`);
  await caddy('caddy-gate', recipe('Caddyfile', { BERTH_API: `127.0.0.1:${api}`, APP_HOST: HOST, APP_UPSTREAM: `127.0.0.1:${backend}`, PORT: String(ports['caddy+gate']) }));
  for (const [k, p] of Object.entries(ports)) await waitHttp(p, HOST, k);
  const coldNginx = await freePort();
  await nginx('cold', recipe('nginx.conf', { ...fill(coldNginx, `127.0.0.1:${api}`), APP_HOST: COLD_HOST, APP_UPSTREAM: `127.0.0.1:${coldApp}` }));
  await waitHttp(coldNginx, COLD_HOST, 'nginx for the cold route');

  const results = Object.fromEntries(Object.keys(ports).map((k) => [k, []]));
  for (const port of Object.values(ports)) execFileSync('wrk', ['-t2', '-c10', '-d2s', '-H', `Host: ${HOST}`, `http://127.0.0.1:${port}/`]); // warm-up
  for (let r = 1; r <= ROUNDS; r++) {
    for (const [name, port] of Object.entries(ports)) {
      const res = wrk(port);
      results[name].push(res);
      console.log(`round ${r} ${name.padEnd(18)} ${res.rps.toFixed(0).padStart(7)} req/s  p50 ${res.p50.toFixed(3)} ms${res.errors ? `  (${res.errors})` : ''}`);
    }
  }
  const sum = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { rps: median(v.map((x) => x.rps)), p50: median(v.map((x) => x.p50)) }]));
  console.log(`\nmedian of ${ROUNDS} runs of ${SECONDS}s, wrk -t2 -c${CONNS}, nginx 1 worker, Caddy GOMAXPROCS=1, ${new Date().toISOString()}`);
  const of = (k, base) => sum[k].rps / sum[base].rps;
  const line = (k, base, target) => {
    const r = of(k, base);
    const added = sum[k].p50 - sum[base].p50;
    console.log(
      `${k.padEnd(18)} ${sum[k].rps.toFixed(0).padStart(7)} req/s  ${(r * 100).toFixed(1).padStart(5)}% of ${base}${target ? ` (target >= ${Math.round(target * 100)}%: ${r >= target ? 'MET' : 'NOT MET'})` : ''}  p50 ${sum[k].p50.toFixed(3)} ms (${added >= 0 ? '+' : ''}${added.toFixed(3)} ms)`,
    );
  };
  console.log(`${'nginx'.padEnd(18)} ${sum.nginx.rps.toFixed(0).padStart(7)} req/s  p50 ${sum.nginx.p50.toFixed(3)} ms`);
  line('nginx+gate', 'nginx', 0.55);
  line('nginx+gate cached', 'nginx', 0.85);
  line('nginx+bare', 'nginx');
  console.log(`${'caddy'.padEnd(18)} ${sum.caddy.rps.toFixed(0).padStart(7)} req/s  p50 ${sum.caddy.p50.toFixed(3)} ms`);
  line('caddy+gate', 'caddy', 0.5);
  const added = sum['nginx+gate'].p50 - sum.nginx.p50;
  console.log(`p50 the gate adds through nginx (uncached): ${added.toFixed(3)} ms (target <= 0.5 ms) ${added <= 0.5 ? 'MET' : 'NOT MET'}`);
  await cold(berthPort, coldNginx);
}

/** Cold first byte: the route killed before each wake; serve's own --listen and nginx with the gate, alternating. */
async function cold(berthPort, nginxPort) {
  const ways = {
    'berth serve': (t0) => firstByte(berthPort, COLD_HOST, '/', t0),
    'nginx+gate': (t0) => firstByte(nginxPort, COLD_HOST, '/', t0, { 'x-berth-wait': '1' }),
  };
  const times = { 'berth serve': [], 'nginx+gate': [] };
  console.log('');
  for (let i = 1; i <= COLD_RUNS; i++) {
    const order = i % 2 ? ['berth serve', 'nginx+gate'] : ['nginx+gate', 'berth serve'];
    for (const k of order) {
      await napping(berthPort, coldContainer);
      const t0 = performance.now();
      times[k].push(await ways[k](t0));
    }
    console.log(`cold ${String(i).padStart(2)}: berth serve ${times['berth serve'].at(-1).toFixed(0).padStart(5)} ms   nginx+gate ${times['nginx+gate'].at(-1).toFixed(0).padStart(5)} ms`);
  }
  const [own, via] = [median(times['berth serve']), median(times['nginx+gate'])];
  const diff = via - own;
  console.log(
    `cold first byte, median of ${COLD_RUNS}: berth serve ${own.toFixed(0)} ms, nginx+gate ${via.toFixed(0)} ms, ${diff >= 0 ? '+' : ''}${diff.toFixed(0)} ms (target <= 100 ms) ${diff <= 100 ? 'MET' : 'NOT MET'}`,
  );
}

runBench('gate', main, { children, container: [container, coldContainer], dir });
