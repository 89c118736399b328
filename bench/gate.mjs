#!/usr/bin/env node
// The wake gate's cost on a warm route, each ratio side by side in one run:
// wrk through nginx alone, nginx asking `berth serve --api-listen`'s gate on
// every request (the recipe of docs/gate/nginx.conf as written), the same with
// the gate's 2xx cached 1 s (docs/gate/nginx-cached.conf), nginx asking a bare
// Node server that answers 200 to everything (what any gate in Node costs at
// best); Caddy alone, and with forward_auth (docs/gate/Caddyfile) to the gate
// and to the bare server; and wrk
// straight at the gate and at the bare server. Every nginx reaches the app
// through the same upstream (keepalive 64), so the variants differ only by the
// gate. The app is a Node server answering 13 bytes; the route is a
// host-network container whose upstream is that server.
//
// Fairness: wrk runs one thread pinned (taskset) to the last CPU; everything
// measured (nginx, Caddy, berth, the app, the bare server) is pinned to the
// other CPUs, nginx with one worker per CPU it has, Caddy with GOMAXPROCS the
// same. Rounds are interleaved; medians are printed. Beside requests/s, the
// CPU time the measured processes spent per request (utime + stime from
// /proc, the app's and the proxy's included): on a shared machine that
// figure moves much less than requests/s, and the ratio of two of them is the
// ratio of throughputs the measured CPUs would give if nothing else ran.
// The added latency: wrk with 1 connection (sequential requests, thousands of
// samples per run) through each proxy with and without the gate, p50.
// Then the cold path: a sleeping route (a host-network busybox httpd, killed
// before each run) asked through nginx with the gate (the recipe, the client
// sending X-Berth-Wait: 1 so the gate holds until ready) and through `berth
// serve`'s own --listen, alternating; the time to the app's first byte.
// Targets (issue 28): nginx+gate cached >= 85% of nginx, uncached >= 55%,
// Caddy+gate >= 50% of Caddy, added p50 <= 0.5 ms, cold first byte through
// nginx within 100 ms of serve's own.
// Usage: node bench/gate.mjs [seconds per run, default 6] [rounds, default 3] [cold wakes each, default 5]
// Needs: nginx-light, caddy, wrk, taskset, a built dist/, the test image berth-test/busybox.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstByte, freePort, hostRoute, median, napping, runBench, starter, waitHttp, wrk } from './http-lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.argv[2] ?? 6);
const ROUNDS = Number(process.argv[3] ?? 3);
const COLD_RUNS = Number(process.argv[4] ?? 5);
const CONNS = 50;
const HOST = 'bench.test';
const COLD_HOST = 'cold.bench.test';
const CPUS = availableParallelism();
// wrk on the last CPU, the measured servers on the others (on one CPU: all together, nothing pinned).
const WRK_CPU = CPUS > 1 ? String(CPUS - 1) : undefined;
const SUT_CPUS = CPUS > 1 ? (CPUS > 2 ? `0-${CPUS - 2}` : '0') : undefined;
const SUT_N = Math.max(1, CPUS - 1);
const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
const children = [];
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-gate-'));
const container = `berth-bench-gate-${process.pid}`;
const coldContainer = `${container}-cold`;

const startChild = starter(children);
/** A measured server, pinned to the measured CPUs. */
const start = (cmd, args, opts) => (SUT_CPUS ? startChild('taskset', ['-c', SUT_CPUS, cmd, ...args], opts) : startChild(cmd, args, opts));

const body = (text) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');

/** The CPU time (s) processes `pids` and their children (nginx's workers) have used. */
function cpuSeconds(pids) {
  let ticks = 0;
  const seen = new Set();
  const add = (pid) => {
    if (seen.has(pid)) return;
    seen.add(pid);
    let stat;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]); // utime, stime
    const kids = `/proc/${pid}/task/${pid}/children`;
    if (existsSync(kids)) for (const k of readFileSync(kids, 'utf8').trim().split(/\s+/).filter(Boolean)) add(Number(k));
  };
  for (const p of pids) add(p);
  return ticks / TICK;
}

/** nginx with an http{} snippet, in its own directory; one worker per measured CPU. Its master's pid. */
function nginx(name, snippet) {
  const d = join(dir, name);
  mkdirSync(d);
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(d, t)};`).join('\n');
  const conf = `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes ${SUT_N};\npid ${join(d, 'nginx.pid')};\nerror_log ${join(d, 'error.log')} warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n${temp}\n${snippet}\n}\n`;
  writeFileSync(join(d, 'nginx.conf'), conf);
  return start('nginx', ['-c', join(d, 'nginx.conf'), '-p', d, '-g', 'daemon off;']).pid;
}

/** The recipe of docs/gate/FILE with its placeholders filled in. */
const recipe = (file, fill) => Object.entries(fill).reduce((t, [k, v]) => t.replaceAll(k, v), body(readFileSync(join(ROOT, 'docs', 'gate', file), 'utf8')));

function caddy(name, site) {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n${site}\n`);
  const env = { ...process.env, HOME: d, XDG_DATA_HOME: join(d, 'data'), XDG_CONFIG_HOME: join(d, 'config'), GOMAXPROCS: String(SUT_N) };
  const args = ['run', '--config', join(d, 'Caddyfile'), '--adapter', 'caddyfile'];
  const c = SUT_CPUS ? spawn('taskset', ['-c', SUT_CPUS, 'caddy', ...args], { env, stdio: 'ignore' }) : spawn('caddy', args, { env, stdio: 'ignore' }); // it logs every start-up step
  children.push(c);
  return c.pid;
}

async function main() {
  const load0 = loadavg()[0];
  const backendPort = await freePort();
  const backend = start('node', [
    '-e',
    `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/plain','content-length':13});s.end('hello, world\\n')}).listen(${backendPort},'127.0.0.1')`,
  ]).pid;
  await waitHttp(backendPort, HOST, 'backend');
  const barePort = await freePort();
  const bare = start('node', ['-e', `require('http').createServer((q,s)=>{s.writeHead(200,{'content-length':0});s.end()}).listen(${barePort},'127.0.0.1')`]).pid;

  hostRoute(container, HOST, backendPort);
  const coldApp = await freePort();
  hostRoute(coldContainer, COLD_HOST, coldApp, ['sh', '-c', `mkdir -p /www && echo awake > /www/index.html && exec httpd -f -p 127.0.0.1:${coldApp} -h /www`]);
  const [berthPort, api] = [await freePort(), await freePort()];
  const berth = start('node', [
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
  ]).pid;
  await waitHttp(berthPort, HOST, 'berth serve');

  const ports = {};
  for (const k of ['nginx', 'nginx+gate', 'nginx+gate cached', 'nginx+bare', 'caddy', 'caddy+gate', 'caddy+bare']) ports[k] = await freePort();
  // The app's upstream, the same in every nginx: the variants differ only by the gate.
  const app = `  upstream bench_app { server 127.0.0.1:${backendPort}; keepalive 64; }\n`;
  const plainNginx = `${app}  server {\n    listen 127.0.0.1:${ports.nginx};\n    location / {\n      proxy_pass http://bench_app;\n      proxy_http_version 1.1;\n      proxy_set_header Host $host;\n      proxy_set_header Connection "";\n    }\n  }`;
  const fill = (port, gate) => ({ BERTH_API: gate, APP_HOST: HOST, APP_UPSTREAM: 'bench_app', LISTEN: `127.0.0.1:${port}`, CACHE_DIR: join(dir, `cache-${port}`) });
  const pids = {
    nginx: [nginx('nginx', plainNginx), backend],
    'nginx+gate': [nginx('gate', app + recipe('nginx.conf', fill(ports['nginx+gate'], `127.0.0.1:${api}`))), backend, berth],
    'nginx+gate cached': [nginx('cached', app + recipe('nginx-cached.conf', fill(ports['nginx+gate cached'], `127.0.0.1:${api}`))), backend, berth],
    'nginx+bare': [nginx('bare', app + recipe('nginx.conf', fill(ports['nginx+bare'], `127.0.0.1:${barePort}`))), backend, bare],
    caddy: [caddy('caddy', `http://${HOST}:${ports.caddy} {\n\tbind 127.0.0.1\n\treverse_proxy 127.0.0.1:${backendPort}\n}`), backend],
    'caddy+gate': [
      caddy('caddy-gate', recipe('Caddyfile', { BERTH_API: `127.0.0.1:${api}`, APP_HOST: HOST, APP_UPSTREAM: `127.0.0.1:${backendPort}`, PORT: String(ports['caddy+gate']) })),
      backend,
      berth,
    ],
    'caddy+bare': [
      caddy('caddy-bare', recipe('Caddyfile', { BERTH_API: `127.0.0.1:${barePort}`, APP_HOST: HOST, APP_UPSTREAM: `127.0.0.1:${backendPort}`, PORT: String(ports['caddy+bare']) })),
      backend,
      bare,
    ],
  };
  for (const [k, p] of Object.entries(ports)) await waitHttp(p, HOST, k);
  const coldNginx = await freePort();
  nginx('cold', recipe('nginx.conf', { ...fill(coldNginx, `127.0.0.1:${api}`), APP_HOST: COLD_HOST, APP_UPSTREAM: `127.0.0.1:${coldApp}` }));
  await waitHttp(coldNginx, COLD_HOST, 'nginx for the cold route');

  // Every variant: where wrk sends its requests, and which processes do the work.
  const variants = Object.fromEntries(Object.entries(ports).map(([k, port]) => [k, { port, pids: pids[k] }]));
  variants['gate direct'] = { port: api, path: '/gate?deny=401', headers: { 'X-Forwarded-Host': HOST }, pids: [berth] };
  variants['bare direct'] = { port: barePort, pids: [bare] };
  const run = (v, conns) => {
    const before = cpuSeconds(v.pids);
    const res = wrk(v.port, HOST, SECONDS, conns, { threads: 1, cpu: WRK_CPU, path: v.path, headers: v.headers });
    return { ...res, cpuUs: ((cpuSeconds(v.pids) - before) / res.requests) * 1e6 };
  };
  for (const v of Object.values(variants)) wrk(v.port, HOST, 2, 10, { threads: 1, cpu: WRK_CPU, path: v.path, headers: v.headers }); // warm-up

  console.log(
    `${CPUS} CPUs: wrk -t1 pinned to CPU ${WRK_CPU ?? '(not pinned)'}, the measured servers to CPU ${SUT_CPUS ?? '(not pinned)'}; nginx ${SUT_N} worker(s), Caddy GOMAXPROCS=${SUT_N}; load average ${load0.toFixed(2)} at the start`,
  );
  const results = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 1; r <= ROUNDS; r++) {
    for (const [name, v] of Object.entries(variants)) {
      const res = run(v, CONNS);
      results[name].push(res);
      console.log(
        `round ${r} ${name.padEnd(18)} ${res.rps.toFixed(0).padStart(7)} req/s  CPU ${res.cpuUs.toFixed(1).padStart(6)} us/req  p50 ${res.p50.toFixed(3)} ms${res.errors ? `  (${res.errors})` : ''}  load ${loadavg()[0].toFixed(2)}`,
      );
    }
  }
  const sum = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { rps: median(v.map((x) => x.rps)), cpuUs: median(v.map((x) => x.cpuUs)) }]));
  console.log(`\nmedians of ${ROUNDS} runs of ${SECONDS}s, wrk -t1 -c${CONNS}, ${new Date().toISOString()}, load average ${loadavg()[0].toFixed(2)} at the end`);
  console.log(`${'path'.padEnd(18)} ${'req/s'.padStart(7)}  ${'of alone'.padStart(8)}  ${'CPU/req'.padStart(9)}  ${'by CPU'.padStart(6)}`);
  const line = (k, base, target) => {
    const [r, c] = base ? [sum[k].rps / sum[base].rps, sum[base].cpuUs / sum[k].cpuUs] : [];
    const pct = (x) => (x === undefined ? '' : `${(x * 100).toFixed(1)}%`);
    const verdict = target ? `  target >= ${Math.round(target * 100)}%: ${r >= target ? 'MET' : 'NOT MET'} (by req/s), ${c >= target ? 'MET' : 'NOT MET'} (by CPU)` : '';
    console.log(`${k.padEnd(18)} ${sum[k].rps.toFixed(0).padStart(7)}  ${pct(r).padStart(8)}  ${sum[k].cpuUs.toFixed(1).padStart(6)} us  ${pct(c).padStart(6)}${verdict}`);
  };
  line('nginx');
  line('nginx+gate', 'nginx', 0.55);
  line('nginx+gate cached', 'nginx', 0.85);
  line('nginx+bare', 'nginx');
  line('caddy');
  line('caddy+gate', 'caddy', 0.5);
  line('caddy+bare', 'caddy');
  line('bare direct');
  line('gate direct', 'bare direct');
  console.log('("of alone": requests/s against the proxy alone (the gate direct: against the bare server); "by CPU": CPU per request of the proxy alone over this one\'s)');
  latency(variants);
  await cold(berthPort, coldNginx);
}

/** p50 with one connection (sequential requests) through each proxy with and without the gate, rounds interleaved. */
function latency(variants) {
  const names = ['nginx', 'nginx+gate', 'nginx+gate cached', 'nginx+bare', 'caddy', 'caddy+gate', 'caddy+bare'];
  const p50s = Object.fromEntries(names.map((k) => [k, []]));
  const counts = Object.fromEntries(names.map((k) => [k, []]));
  console.log('');
  for (let r = 1; r <= ROUNDS; r++) {
    for (const k of names) {
      const res = wrk(variants[k].port, HOST, SECONDS, 1, { threads: 1, cpu: WRK_CPU });
      p50s[k].push(res.p50);
      counts[k].push(res.requests);
      console.log(`latency round ${r} ${k.padEnd(18)} p50 ${(res.p50 * 1000).toFixed(0).padStart(5)} us  p99 ${(res.p99 * 1000).toFixed(0).padStart(6)} us  (${res.requests} requests)`);
    }
  }
  const m = Object.fromEntries(names.map((k) => [k, median(p50s[k])]));
  const added = (k, base, target) => {
    const d = m[k] - m[base];
    console.log(
      `${k.padEnd(18)} p50 ${(m[k] * 1000).toFixed(0).padStart(5)} us, ${d >= 0 ? '+' : ''}${(d * 1000).toFixed(0)} us against ${base}${target ? ` (target <= ${target * 1000} us: ${d <= target ? 'MET' : 'NOT MET'})` : ''}`,
    );
  };
  console.log(`\none connection, sequential requests, median p50 of ${ROUNDS} runs of ${SECONDS}s (${Math.min(...names.flatMap((k) => counts[k]))} requests or more each):`);
  console.log(`${'nginx'.padEnd(18)} p50 ${(m.nginx * 1000).toFixed(0).padStart(5)} us`);
  added('nginx+gate', 'nginx', 0.5);
  added('nginx+gate cached', 'nginx');
  added('nginx+bare', 'nginx');
  console.log(`${'caddy'.padEnd(18)} p50 ${(m.caddy * 1000).toFixed(0).padStart(5)} us`);
  added('caddy+gate', 'caddy', 0.5);
  added('caddy+bare', 'caddy');
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
