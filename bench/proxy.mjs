#!/usr/bin/env node
// Proxy throughput and latency: one small HTTP backend (a Node server on the
// host answering 13 bytes with keep-alive) reached directly, through nginx as
// a reverse proxy (Debian's nginx, bench/nginx-proxy.conf, upstream
// keep-alive) and through `berth serve`, each loaded by wrk in the same run,
// rounds interleaved; prints requests/s and p99 latency and the ratios.
// berth reaches the backend through a route container with host networking
// (the upstream of such a route is 127.0.0.1:berth.proxy.port).
// Two floors run beside them (bench/proxy-floor.mjs): a bare node:http + undici proxy, and a raw-socket
// forwarder with no HTTP checks, so berth can be read against what Node itself makes here.
// Targets (issue 7): berth >= 60% of nginx's requests/s, p99 <= 2x nginx's.
// Usage: node bench/proxy.mjs [seconds per run, default 8] [rounds, default 3] [nginx workers, default 1]
// Needs: apt-get install -y nginx-light wrk (or nginx), a built dist/, the test image.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, hostRoute, median, runBench, starter, waitHttp, wrk as wrkRun } from './http-lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.argv[2] ?? 8);
const ROUNDS = Number(process.argv[3] ?? 3);
const WORKERS = process.argv[4] ?? '1';
const CONNS = 50;
const HOST = 'bench.test';
const children = [];
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-proxy-'));
const container = `berth-bench-proxy-${process.pid}`;

const which = (bin) => {
  for (const d of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    try {
      execFileSync('test', ['-x', join(d, bin)]);
      return join(d, bin);
    } catch {}
  }
  return undefined;
};
const start = starter(children);

const wrk = (port) => wrkRun(port, HOST, SECONDS, CONNS);

async function main() {
  for (const bin of ['nginx', 'wrk']) if (!which(bin)) throw new Error(`${bin} is not installed: apt-get install -y nginx-light wrk`);
  const backendPort = await freePort();
  start('node', ['-e', `require('http').createServer((q,s)=>{s.writeHead(200,{'content-type':'text/plain','content-length':13});s.end('hello, world\\n')}).listen(${backendPort},'127.0.0.1')`]);
  await waitHttp(backendPort, HOST, 'backend');

  const nginxPort = await freePort();
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const conf = readFileSync(join(ROOT, 'bench', 'nginx-proxy.conf'), 'utf8')
    .replaceAll('@WORKERS@', WORKERS)
    .replaceAll('@PORT@', String(nginxPort))
    .replaceAll('@BACKEND@', `127.0.0.1:${backendPort}`)
    .replaceAll('@DIR@', dir);
  writeFileSync(join(dir, 'nginx.conf'), conf);
  start(which('nginx'), ['-c', join(dir, 'nginx.conf'), '-p', dir, '-g', 'daemon off;']);
  await waitHttp(nginxPort, HOST, 'nginx');

  hostRoute(container, HOST, backendPort);
  const berthPort = await freePort();
  start('node', [join(ROOT, 'bin', 'berth.js'), 'serve', '--listen', `127.0.0.1:${berthPort}`, '--json', '--filter', `label=berth.bench=${process.pid}`]);
  await waitHttp(berthPort, HOST, 'berth serve');

  // Node's floors (bench/proxy-floor.mjs): what a bare Node proxy makes on this machine in the same run.
  const floor = {};
  for (const mode of ['undici', 'raw']) {
    floor[mode] = await freePort();
    start('node', [join(ROOT, 'bench', 'proxy-floor.mjs'), mode, String(floor[mode]), String(backendPort)]);
    await waitHttp(floor[mode], HOST, `Node's ${mode} floor`);
  }

  const targets = { direct: backendPort, nginx: nginxPort, berth: berthPort, 'floor-undici': floor.undici, 'floor-raw': floor.raw };
  const results = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (const [, port] of Object.entries(targets)) execFileSync('wrk', ['-t2', '-c10', '-d2s', '-H', `Host: ${HOST}`, `http://127.0.0.1:${port}/`]); // warm-up
  for (let r = 1; r <= ROUNDS; r++) {
    for (const [name, port] of Object.entries(targets)) {
      const res = wrk(port);
      results[name].push(res);
      console.log(`round ${r} ${name.padEnd(12)} ${res.rps.toFixed(0).padStart(7)} req/s  p99 ${res.p99.toFixed(2)} ms${res.errors ? `  (${res.errors})` : ''}`);
    }
  }
  const sum = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { rps: median(v.map((x) => x.rps)), p99: median(v.map((x) => x.p99)) }]));
  console.log(`\nmedian of ${ROUNDS} runs of ${SECONDS}s, wrk -t2 -c${CONNS}, nginx worker_processes ${WORKERS}, ${new Date().toISOString()}`);
  for (const [k, v] of Object.entries(sum)) console.log(`${k.padEnd(12)} ${v.rps.toFixed(0).padStart(7)} req/s  p99 ${v.p99.toFixed(2)} ms`);
  const rpsRatio = sum.berth.rps / sum.nginx.rps;
  const p99Ratio = sum.berth.p99 / sum.nginx.p99;
  console.log(`berth/nginx requests/s: ${(rpsRatio * 100).toFixed(1)}% (target >= 60%) ${rpsRatio >= 0.6 ? 'MET' : 'NOT MET'}`);
  console.log(`berth/nginx p99:        ${p99Ratio.toFixed(2)}x (target <= 2x) ${p99Ratio <= 2 ? 'MET' : 'NOT MET'}`);
  console.log(`berth/direct requests/s: ${((sum.berth.rps / sum.direct.rps) * 100).toFixed(1)}%, nginx/direct: ${((sum.nginx.rps / sum.direct.rps) * 100).toFixed(1)}%`);
  const pct = (k) => `${((sum[k].rps / sum.nginx.rps) * 100).toFixed(1)}%`;
  console.log(`Node's floors, of nginx's requests/s: bare node:http + undici ${pct('floor-undici')}, raw sockets with no HTTP checks ${pct('floor-raw')}; berth ${pct('berth')}`);
}

runBench('proxy', main, { children, container, dir });
