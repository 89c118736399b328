#!/usr/bin/env node
// Benchmark for `berth topology`'s TCP sources, against peers measured in the same run:
//  1. accuracy, three kinds of connection, each counted by both of berth's sources side by side
//     (conntrack, the default; /proc polls, --tcp-source proc); the ground truth is what the client
//     itself counts as connected:
//     plain: N HTTP requests with wget to busybox httpd (closed normally: TIME_WAIT stays);
//     rst:   N connections from Python that end with a reset (SO_LINGER 0: no TIME_WAIT anywhere);
//     tls:   N psycopg2 sessions to Debian's Postgres over TLS (they end with a reset too).
//  2. cost of one read of a container's sockets (with the N connections in TIME_WAIT):
//     berth's /proc/<pid>/net/tcp{,6} read+parse vs `nsenter -t PID -n ss -tanH` (what a
//     script would run), per read, and the ratio.
//     An idle poll only reads the namespace's open counter (net/snmp): timed too.
//  3. CPU used by the `berth topology` process (utime+stime from /proc) while the client
//     works, and over 10 s once it is idle.
// Usage: node bench/topology.mjs [requests=300] [--short]
//   (needs root, a local engine, berth-test/busybox and berth-test/real, built dist/; --short: accuracy
//   only, for CI: it fails when a count is not exact)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { readSockets, readTcpOpens } = await import(join(ROOT, 'dist/core/proc-net.js'));
const args = process.argv.slice(2);
const short = args.includes('--short');
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? (short ? 40 : 300));
const id = randomBytes(3).toString('hex');
const docker = (...a) => execFileSync('docker', a, { encoding: 'utf8' }).trim();
const made = [];
const nets = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cleanup() {
  for (const c of made) spawnSync('docker', ['rm', '-f', c], { stdio: 'ignore' });
  for (const n of nets) spawnSync('docker', ['network', 'rm', n], { stdio: 'ignore' });
}
process.on('SIGINT', () => (cleanup(), process.exit(130)));

const clockTicks = 100; // USER_HZ on Linux
function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / clockTicks;
}

/** A compose-style project of a server and a client on a network of its own. */
function project(kind) {
  const name = `berthbench${kind}${id}`;
  const net = `${name}-net`;
  docker('network', 'create', '--label', 'berth.bench=1', net);
  nets.push(net);
  const run = (service, image, cmd, extra = []) =>
    made.push(
      docker(
        'run',
        '-d',
        '--name',
        `${name}-${service}-1`,
        '--network',
        net,
        '--label',
        'berth.bench=1',
        '--label',
        `com.docker.compose.project=${name}`,
        '--label',
        `com.docker.compose.service=${service}`,
        ...extra,
        image,
        ...cmd,
      ),
    );
  return { name, server: `${name}-server-1`, client: `${name}-client-1`, run };
}

/** `berth topology --json` of a project, with its snapshots. */
function topology(name, source) {
  const child = spawn('node', [join(ROOT, 'bin/berth.js'), 'topology', '--project', name, '--interval', '1s', '--json', '--no-logs', '--no-stdin', '--tcp-source', source], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const snaps = [];
  let err = '';
  createInterface({ input: child.stdout }).on('line', (l) => snaps.push(JSON.parse(l)));
  child.stderr.on('data', (d) => (err += d));
  const counted = () => snaps.reduce((n, s) => n + (s.edges.find((e) => e.from === 'client' && e.to === 'server')?.connections ?? 0), 0);
  const from = () => snaps.at(-1)?.sources.tcpFrom;
  const ready = async () => {
    while (!from()) await sleep(100);
  };
  const stop = async () => {
    child.kill('SIGINT');
    await new Promise((r) => child.on('close', r));
  };
  return { child, snaps, counted, from, ready, stop, stderr: () => err };
}

async function clientResult(client, t0) {
  for (;;) {
    const m = /done ok=(\d+)/.exec(docker('logs', client));
    if (m) return Number(m[1]);
    if (Date.now() - t0 > 300_000) throw new Error(`${client} did not finish in 300 s`);
    await sleep(500);
  }
}

const py = (code) => ['python3', '-c', code];
const CASES = {
  plain: (p) => {
    p.run('server', 'berth-test/busybox', ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 7000 -h /www']);
    return [
      'berth-test/busybox',
      ['sh', '-c', `sleep 2; i=0; ok=0; while [ $i -lt ${N} ]; do i=$((i+1)); wget -q -O /dev/null http://${p.server}:7000/ && ok=$((ok+1)); sleep 0.02; done; echo "done ok=$ok"; exec sleep 3600`],
    ];
  },
  rst: (p) => {
    p.run('server', 'berth-test/busybox', ['sh', '-c', 'mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 7000 -h /www']);
    const code = `import socket, struct, time
time.sleep(2)
ok = 0
for i in range(${N}):
    try:
        s = socket.create_connection(("${p.server}", 7000), timeout=3)
        s.sendall(b"GET / HTTP/1.0\\r\\n\\r\\n")
        s.recv(64)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        ok += 1
    except OSError:
        pass
    time.sleep(0.02)
print(f"done ok={ok}", flush=True)
time.sleep(3600)`;
    return ['berth-test/real:latest', py(code)];
  },
  tls: (p) => {
    p.run('server', 'berth-test/real:latest', ['postgres', '-D', '/var/lib/postgresql/15/main', '-c', 'config_file=/etc/postgresql/15/main/postgresql.conf'], ['--user', 'postgres']);
    const code = `import time, psycopg2
for _ in range(120):
    try:
        psycopg2.connect(host="${p.server}", user="postgres", dbname="postgres").close(); break
    except psycopg2.OperationalError:
        time.sleep(0.5)
time.sleep(2)
ok = 0
for i in range(${N}):
    try:
        c = psycopg2.connect(host="${p.server}", user="postgres", dbname="postgres")
        c.cursor().execute("select 1")
        c.close()
        ok += 1
    except psycopg2.OperationalError:
        pass
    time.sleep(0.02)
print(f"done ok={ok}", flush=True)
time.sleep(3600)`;
    return ['berth-test/real:latest', py(code)];
  },
};

/** One kind of connection: both sources watch the same client; returns their counts and the truth. */
async function accuracy(kind) {
  const p = project(kind);
  const [image, cmd] = CASES[kind](p);
  const watchers = { conntrack: topology(p.name, 'auto'), proc: topology(p.name, 'proc') };
  await Promise.all(Object.values(watchers).map((w) => w.ready()));
  const t0 = Date.now();
  // The TLS client's first connection (waiting for Postgres) happens before its count starts; it is counted too.
  p.run('client', image, cmd);
  const truth = (await clientResult(p.client, t0)) + (kind === 'tls' ? 1 : 0);
  const settle = Math.max(...Object.values(watchers).map((w) => w.snaps.length));
  while (Object.values(watchers).some((w) => w.snaps.length < settle + 3)) await sleep(200);
  await Promise.all(Object.values(watchers).map((w) => w.stop()));
  const row = { kind, truth };
  for (const [name, w] of Object.entries(watchers)) row[name] = { counted: w.counted(), from: w.from() };
  return { row, p, cpu: { wall: (Date.now() - t0) / 1000 } };
}

let failed = false;
try {
  console.log(`accuracy: ${N} connections of each kind; truth = what the client counted as connected`);
  console.log('kind   truth   conntrack (source)   /proc polls (source)');
  let plain;
  for (const kind of ['plain', 'rst', 'tls']) {
    const { row, p } = await accuracy(kind);
    if (kind === 'plain') plain = p;
    const cell = (c) => `${String(c.counted).padStart(5)} (${c.from})`.padEnd(20);
    console.log(`${kind.padEnd(6)} ${String(row.truth).padStart(5)}   ${cell(row.conntrack)} ${cell(row.proc)}`);
    if (row.conntrack.counted !== row.truth || row.conntrack.from !== 'conntrack') failed = true;
  }
  if (failed) console.log('FAILED: the default source did not count every connection exactly');
  if (!short) await cost(plain);
} finally {
  cleanup();
}
process.exit(failed ? 1 : 0);

/** CPU of one berth topology while a client works and when idle, and the cost of one socket-table read. */
async function cost(p) {
  p.run('client2', 'berth-test/busybox', [
    'sh',
    '-c',
    `sleep 2; i=0; ok=0; while [ $i -lt ${N} ]; do i=$((i+1)); wget -q -O /dev/null http://${p.server}:7000/ && ok=$((ok+1)); sleep 0.02; done; echo "done ok=$ok"; exec sleep 3600`,
  ]);
  const w = topology(p.name, 'auto');
  const t0 = Date.now();
  await clientResult(`${p.name}-client2-1`, t0);
  const cpu = cpuSeconds(w.child.pid);
  const wall = (Date.now() - t0) / 1000;
  const idleWall = 10;
  await sleep(idleWall * 1000);
  const idleCpu = cpuSeconds(w.child.pid) - cpu;
  await w.stop();
  console.log(
    `berth topology CPU while busy: ${cpu.toFixed(2)} s over ${wall.toFixed(1)} s wall = ${((100 * cpu) / wall).toFixed(1)}% of one core (start-up included; tick 1 s, 2 containers, conntrack)`,
  );
  console.log(`berth topology CPU while idle: ${idleCpu.toFixed(2)} s over ${idleWall} s = ${((100 * idleCpu) / idleWall).toFixed(1)}% of one core`);
  const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', p.server));
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
}
