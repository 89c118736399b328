#!/usr/bin/env node
// Wake overhead of `berth serve`: the time from the first request on a
// sleeping route to the first byte of the app's answer, against the
// container's own start-to-ready time measured the plain way: start it
// through the engine API (POST /containers/NAME/start, as `docker start`
// does, without the CLI's own start-up), read its address through the API,
// and poll the app over HTTP every 10 ms until it answers. Same container, runs alternating, median of RUNS
// each; berth's overhead = median(berth) - median(plain).
// Target (issue 7): overhead <= 100 ms at the median of 10 wakes.
// Usage: node bench/wake-proxy.mjs [runs, default 10]   (needs a built dist/ and the test image)
import { spawn, execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstByte, napping, routeState, sleep } from './http-lib.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.argv[2] ?? 10);
const NAME = `berth-bench-wake-${process.pid}`;
const HOST = 'wake.bench.test';
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
let serve;

/** A request to the engine's unix socket; resolves with the body. */
const engine = (method, path) =>
  new Promise((resolve, reject) => {
    const req = http.request({ socketPath: '/var/run/docker.sock', method, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => (res.statusCode < 300 ? resolve(body) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });

const getOnce = (hostIp, t0) =>
  new Promise((resolve, reject) => {
    const req = http.get({ host: hostIp, port: 8080, path: '/', agent: false }, (res) => {
      let at;
      res.once('data', () => (at = performance.now() - t0));
      res.resume();
      // the time is the first byte; return only once the connection is closed, so no half-closed
      // socket to the container is left retransmitting at its address after it is killed
      req.socket.once('close', () => (res.statusCode === 200 && at !== undefined ? resolve(at) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
  });

async function plain() {
  const t0 = performance.now();
  await engine('POST', `/containers/${NAME}/start`);
  const info = JSON.parse(await engine('GET', `/containers/${NAME}/json`));
  const ip = Object.values(info.NetworkSettings.Networks).find((n) => n.IPAddress).IPAddress;
  for (;;) {
    try {
      return await getOnce(ip, t0);
    } catch {
      await sleep(10);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  docker(
    'create',
    '--name',
    NAME,
    '--label',
    `berth.bench=${process.pid}`,
    '--label',
    `berth.proxy.host=${HOST}`,
    '--label',
    'berth.proxy.port=8080',
    'berth-test/busybox',
    'sh',
    '-c',
    'mkdir -p /www && echo awake > /www/index.html && exec httpd -f -p 8080 -h /www',
  );
  const port = await new Promise((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });
  serve = spawn('node', [join(ROOT, 'bin', 'berth.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--json', '--filter', `label=berth.bench=${process.pid}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 300 && !(await routeState(port, NAME).catch(() => undefined)); i++) await sleep(100);
  const a = [];
  const b = [];
  for (let i = 1; i <= RUNS; i++) {
    const p = await plain();
    await napping(port, NAME);
    const t0 = performance.now();
    const q = await firstByte(port, HOST, '/', t0);
    await napping(port, NAME);
    a.push(p);
    b.push(q);
    console.log(`wake ${String(i).padStart(2)}: plain start+poll ${p.toFixed(0).padStart(5)} ms   berth serve ${q.toFixed(0).padStart(5)} ms`);
  }
  const mp = median(a);
  const mb = median(b);
  console.log(
    `\nmedian of ${RUNS}: plain ${mp.toFixed(0)} ms, berth serve ${mb.toFixed(0)} ms, overhead ${(mb - mp).toFixed(0)} ms (target <= 100 ms) ${mb - mp <= 100 ? 'MET' : 'NOT MET'}  (${new Date().toISOString()})`,
  );
}

function cleanup() {
  serve?.kill('SIGTERM');
  try {
    docker('rm', '-f', NAME);
  } catch {}
}

main().then(cleanup, (err) => {
  cleanup();
  console.error(`bench/wake-proxy: ${err.message}`);
  process.exit(1);
});
