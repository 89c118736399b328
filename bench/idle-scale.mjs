#!/usr/bin/env node
// Idle cost against containers berth does not manage: the CPU time (utime + stime from /proc/PID/stat)
// of `berth serve` (one routed container) and `berth watch-idle` (one named container), both idle, over
// a window with no other container of this run on the engine, then over the same window once N
// unrelated `sleep` containers run (made in parallel batches from berth-test/busybox, with no network).
// dockerd's CPU over the same windows beside them. Prints CPU s/min for each and the ratio with-N /
// with-0 beside the target (1.1x). The containers of this run are removed at the end, on Ctrl-C too.
//
// Usage: node bench/idle-scale.mjs [--containers N] [--seconds S] [--settle S] [--quick]
//   --containers  unrelated containers (default 1000; --quick: 100)
//   --seconds     each measuring window (default 60; --quick: 10)
//   --settle      wait after a change before measuring (default 10; --quick: 3)
// Other engines' users share the machine: the ratios mean more than the absolute figures.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BERTH = join(ROOT, 'bin', 'berth.js');
const SOCKET = process.env.DOCKER_HOST?.startsWith('unix://') ? process.env.DOCKER_HOST.slice(7) : '/var/run/docker.sock';
const TARGET = 1.1;
const RUN = `idle-scale-${process.pid}`;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name}: expected a number (got: ${JSON.stringify(process.argv[i + 1])})`);
  return v;
}
const quick = process.argv.includes('--quick');
const N = option('--containers', quick ? 100 : 1000);
const WINDOW_S = option('--seconds', quick ? 10 : 60);
const SETTLE_S = option('--settle', quick ? 3 : 10);

/** One engine API call over the unix socket; the parsed JSON reply (or undefined). */
function api(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath: SOCKET, method, path, headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode >= 400 ? reject(new Error(`${method} ${path}: ${res.statusCode} ${text.trim()}`)) : resolve(text ? JSON.parse(text) : undefined)));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function inBatches(items, size, fn) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

async function makeContainer(name, labels, cmd, network = 'none') {
  const { Id } = await api('POST', `/containers/create?name=${name}`, { Image: 'berth-test/busybox', Cmd: cmd, Labels: { 'berth.bench': RUN, ...labels }, HostConfig: { NetworkMode: network } });
  await api('POST', `/containers/${Id}/start`);
  return Id;
}

async function removeOurs() {
  const filters = encodeURIComponent(JSON.stringify({ label: [`berth.bench=${RUN}`] }));
  const ours = await api('GET', `/containers/json?all=1&filters=${filters}`).catch(() => []);
  await inBatches(ours, 32, (c) => api('DELETE', `/containers/${c.Id}?force=1`).catch(() => {}));
  return ours.length;
}

/** CPU seconds (user + system) a process used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function dockerdPid() {
  try {
    const line = execFileSync('ss', ['-Hxlp'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.includes(` ${SOCKET} `));
    const m = /pid=(\d+)/.exec(line ?? '');
    if (m) return Number(m[1]);
  } catch {
    /* no ss */
  }
  return Number(execFileSync('pgrep', ['-o', '-x', 'dockerd'], { encoding: 'utf8' }).trim());
}

/** CPU s/min of each process over one window. */
async function measure(procs) {
  const before = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const t0 = process.hrtime.bigint();
  await sleep(WINDOW_S * 1000);
  const minutes = Number(process.hrtime.bigint() - t0) / 60e9;
  return Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, (cpuSeconds(pid) - before[k]) / minutes]));
}

function start(args, readyText) {
  const child = spawn('node', [BERTH, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes(readyText)) resolve();
    });
    child.on('exit', (code) => reject(new Error(`berth ${args[0]} exited ${code}: ${err.trim()}`)));
  });
  return { child, ready, stderr: () => err };
}

const children = [];
let cleaning;
async function cleanup() {
  cleaning ??= (async () => {
    for (const c of children) c.kill('SIGINT');
    const n = await removeOurs();
    if (n) console.error(`removed ${n} containers of this run`);
  })();
  return cleaning;
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));

const fmt = (x) => x.toFixed(3);
try {
  const route = `berth-bench-${RUN}-route`;
  const managed = `berth-bench-${RUN}-idle`;
  await makeContainer(
    route,
    { 'berth.proxy.host': 'scale.bench', 'berth.proxy.port': '8080', 'berth.idle.timeout': '1h', 'berth.bench.route': RUN },
    ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
    'bridge',
  );
  await makeContainer(managed, { 'berth.idle.timeout': '1h' }, ['sh', '-c', 'exec sleep 3600']);
  const serve = start(['serve', '--listen', '127.0.0.1:0', '--json', '--filter', `label=berth.bench.route=${RUN}`], '"route"');
  const idle = start(['watch-idle', '--json', managed], '"to":"ready"');
  children.push(serve.child, idle.child);
  await Promise.all([serve.ready, idle.ready]);
  const procs = { serve: serve.child.pid, 'watch-idle': idle.child.pid, dockerd: dockerdPid() };
  console.log(`berth serve (1 route) and berth watch-idle (1 container), idle; windows of ${WINDOW_S} s after ${SETTLE_S} s to settle; dockerd pid ${procs.dockerd}`);
  await sleep(SETTLE_S * 1000);
  const zero = await measure(procs);
  const names = Array.from({ length: N }, (_, i) => `berth-bench-${RUN}-${i}`);
  const t0 = Date.now();
  await inBatches(names, 16, (n) => makeContainer(n, {}, ['sleep', '86400']));
  console.log(`made ${N} unrelated sleep containers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await sleep(SETTLE_S * 1000);
  const many = await measure(procs);
  for (const c of [serve, idle]) if (c.child.exitCode !== null) throw new Error(`a berth process ended during the run: ${c.stderr()}`);
  console.log('\nprocess       CPU s/min, 0 others   with ' + `${N}`.padEnd(6) + '   ratio   target');
  for (const k of ['serve', 'watch-idle']) {
    const ratio = many[k] / Math.max(zero[k], 1 / TICKS / (WINDOW_S / 60));
    console.log(`${`berth ${k}`.padEnd(16)}${fmt(zero[k]).padStart(10)}   ${fmt(many[k]).padStart(10)}   ${ratio.toFixed(2).padStart(5)}x   <= ${TARGET}x ${ratio <= TARGET ? 'met' : 'NOT met'}`);
  }
  console.log(
    `${'dockerd'.padEnd(16)}${fmt(zero.dockerd).padStart(10)}   ${fmt(many.dockerd).padStart(10)}   ${(many.dockerd / Math.max(zero.dockerd, 1e-9)).toFixed(2).padStart(5)}x   (the engine itself, every client of the machine's engine)`,
  );
  console.log(`(CPU time resolution ${1000 / TICKS} ms; a window of ${WINDOW_S} s resolves ${fmt(1 / TICKS / (WINDOW_S / 60))} CPU s/min)`);
} finally {
  await cleanup();
}
