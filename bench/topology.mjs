#!/usr/bin/env node
// Benchmark for `berth topology`'s TCP source, against peers measured in the same run:
//  1. accuracy: a client container makes N HTTP requests (one TCP connection each) to a
//     server container; the ground truth is the number of requests that succeeded, as the
//     client itself counts them. berth's summed `connections` on client -> server must match.
//  2. cost of one read of a container's sockets (with the N connections in TIME_WAIT):
//     berth's /proc/<pid>/net/tcp{,6} read+parse vs `nsenter -t PID -n ss -tanH` (what a
//     script would run), per read, and the ratio.
//     An idle poll only reads the namespace's open counter (net/snmp): timed too.
//  3. CPU used by the `berth topology` process (utime+stime from /proc) while the client
//     works, and over 10 s once it is idle.
// Usage: node bench/topology.mjs [requests=300]   (needs root, a local engine, berth-test/busybox, built dist/)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { readSockets, readTcpOpens } = await import(join(ROOT, 'dist/core/proc-net.js'));
const N = Number(process.argv[2] ?? 300);
const id = randomBytes(3).toString('hex');
const project = `berthbench${id}`;
const net = `${project}-net`;
const label = ['--label', 'berth.bench=1', '--label', `com.docker.compose.project=${project}`];
const docker = (...args) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const made = [];

function cleanup() {
  for (const c of made) spawnSync('docker', ['rm', '-f', c], { stdio: 'ignore' });
  spawnSync('docker', ['network', 'rm', net], { stdio: 'ignore' });
}
process.on('SIGINT', () => (cleanup(), process.exit(130)));

function run(name, service, cmd) {
  made.push(docker('run', '-d', '--name', name, '--network', net, ...label, '--label', `com.docker.compose.service=${service}`, 'berth-test/busybox', 'sh', '-c', cmd));
}

const clockTicks = 100; // USER_HZ on Linux
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

try {
  docker('network', 'create', '--label', 'berth.bench=1', net);
  const server = `${project}-server-1`;
  run(server, 'server', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 7000 -h /www');
  run(
    `${project}-client-1`,
    'client',
    `sleep 4; i=0; ok=0; while [ $i -lt ${N} ]; do i=$((i+1)); wget -q -O /dev/null http://${server}:7000/ && ok=$((ok+1)); sleep 0.02; done; echo "done ok=$ok"; exec sleep 3600`,
  );

  const t0 = Date.now();
  const berth = spawn('node', [join(ROOT, 'bin/berth.js'), 'topology', '--project', project, '--interval', '1s', '--json', '--no-logs', '--no-stdin'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const snaps = [];
  createInterface({ input: berth.stdout }).on('line', (l) => snaps.push(JSON.parse(l)));

  let truth;
  for (;;) {
    const logs = docker('logs', `${project}-client-1`);
    const m = /done ok=(\d+)/.exec(logs);
    if (m) {
      truth = Number(m[1]);
      break;
    }
    if (Date.now() - t0 > 180_000) throw new Error('client did not finish in 180 s');
    await new Promise((r) => setTimeout(r, 500));
  }
  const settle = snaps.length;
  while (snaps.length < settle + 3) await new Promise((r) => setTimeout(r, 200));
  const cpu = cpuSeconds(berth.pid);
  const wall = (Date.now() - t0) / 1000;
  const idleWall = 10;
  await new Promise((r) => setTimeout(r, idleWall * 1000));
  const idleCpu = cpuSeconds(berth.pid) - cpu;
  berth.kill('SIGINT');
  await new Promise((r) => berth.on('close', r));

  const counted = snaps.reduce((n, s) => n + (s.edges.find((e) => e.from === 'client' && e.to === 'server')?.connections ?? 0), 0);
  console.log(`accuracy: client made ${truth} successful connections (${N} tries); berth counted ${counted}; ratio counted/truth = ${(counted / truth).toFixed(4)}`);
  console.log(
    `berth topology CPU while busy: ${cpu.toFixed(2)} s over ${wall.toFixed(1)} s wall = ${((100 * cpu) / wall).toFixed(1)}% of one core (start-up included; tick 1 s, polled every 0.5 s, 2 containers)`,
  );
  console.log(`berth topology CPU while idle: ${idleCpu.toFixed(2)} s over ${idleWall} s = ${((100 * idleCpu) / idleWall).toFixed(1)}% of one core`);

  const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', server));
  const sockets = (await readSockets(pid)).length;
  const reps = 200;
  let t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) await readSockets(pid);
  const oursMs = Number(process.hrtime.bigint() - t) / 1e6 / reps;
  t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) execFileSync('nsenter', ['-t', String(pid), '-n', 'ss', '-tanH'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const ssMs = Number(process.hrtime.bigint() - t) / 1e6 / reps;
  t = process.hrtime.bigint();
  for (let i = 0; i < reps; i++) await readTcpOpens(pid);
  const idleMs = Number(process.hrtime.bigint() - t) / 1e6 / reps;
  console.log(
    `one full read of the server's sockets (${sockets} sockets): berth /proc tables ${oursMs.toFixed(3)} ms, nsenter+ss ${ssMs.toFixed(3)} ms; ratio ss/berth = ${(ssMs / oursMs).toFixed(2)}x`,
  );
  console.log(`one idle poll (open counter unchanged): berth net/snmp ${idleMs.toFixed(3)} ms vs nsenter+ss ${ssMs.toFixed(3)} ms; ratio ss/berth = ${(ssMs / idleMs).toFixed(0)}x`);
} finally {
  cleanup();
}
