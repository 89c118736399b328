#!/usr/bin/env node
// bench/logs.mjs: `berth logs` against `docker logs` on the same container, in the same run.
//   node bench/logs.mjs [lines=1000000] [rounds=3]
// Makes a container that has written LINES lines (mixed severities), then times, in rotating
// order, `docker logs`, `berth logs --format raw` and `berth logs --json`, all to /dev/null
// (berth as a user runs it: bin/berth.js with the bundle of `npm run build`; BERTH_BIN names another
// build's bin/berth.js, and BERTH_BIN_BASE adds a second build's two runs to the same rotation, to
// compare two builds under the same load),
// and prints median wall times and client CPU (user+sys), the ratios to docker logs, and peak memory (max RSS)
// for the full log and for a quarter of it (flat memory: the two should be close).
// Targets (issue 3): raw <= 1.05x docker logs, --json <= 1.3x, judged on the medians.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';

const LINES = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.BERTH_BIN ?? join(ROOT, 'bin', 'berth.js');
const BASE = process.env.BERTH_BIN_BASE;
const LABELS = ['--label', 'berth.bench=logs'];
const made = [];

function makeContainer(lines) {
  const name = `berth-bench-logs-${randomBytes(3).toString('hex')}`;
  const awk = `BEGIN{for(i=1;i<=${lines};i++){l=(i%50==0)?"ERROR":(i%10==0)?"WARN":(i%7==0)?"DEBUG":"INFO"; print l " request id=" i " path=/api/items/" i%997 " status=200 took=" i%89 "ms"}}`;
  execFileSync('docker', ['run', '-d', '--name', name, ...LABELS, 'berth-test/busybox', 'awk', awk], { stdio: ['ignore', 'ignore', 'inherit'] });
  made.push(name);
  execFileSync('docker', ['wait', name], { stdio: 'ignore' });
  return name;
}

/** Wall seconds, max RSS (KiB) and CPU seconds (user + sys) of one command, output to /dev/null. */
function timed(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', cmd, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 20 });
  const last = r.stderr.trim().split('\n').at(-1);
  const [wall, rss, user, sys] = last.split(' ').map(Number);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return { wall, rss, cpu: user + sys };
}

function countLines(cmd, args) {
  const r = spawnSync('bash', ['-c', `"$0" "$@" 2>&1 | wc -l`, cmd, ...args], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The build must exist: bin/berth.js loads dist/bundle/ (npm run build). */
function checkBuild(bin) {
  const bundle = join(dirname(bin), '..', 'dist', 'bundle', 'main.js');
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run npm run build first`);
}

function main() {
  console.log(`bench/logs: ${LINES} lines, ${ROUNDS} rounds, ${new Date().toISOString()}`);
  checkBuild(BIN);
  if (BASE) checkBuild(BASE);
  console.log(`berth: ${BIN}${BASE ? `; base: ${BASE}` : ''}`);
  const big = makeContainer(LINES);
  const small = makeContainer(Math.round(LINES / 4));
  const peers = {
    'docker logs': ['docker', ['logs', big]],
    'berth --format raw': ['node', [BIN, 'logs', '--format', 'raw', big]],
    'berth --json': ['node', [BIN, 'logs', '--json', big]],
  };
  if (BASE) {
    peers['base --format raw'] = ['node', [BASE, 'logs', '--format', 'raw', big]];
    peers['base --json'] = ['node', [BASE, 'logs', '--json', big]];
  }
  // Warm-up (page cache) and a check that every peer printed every line.
  for (const [name, [cmd, args]] of Object.entries(peers)) {
    const n = countLines(cmd, args);
    if (n !== LINES) throw new Error(`${name} printed ${n} lines, expected ${LINES}`);
  }
  const times = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
  const rss = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
  const cpu = Object.fromEntries(Object.keys(peers).map((k) => [k, []]));
  const names = Object.keys(peers);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const t = timed(...peers[name]);
      times[name].push(t.wall);
      rss[name].push(t.rss);
      cpu[name].push(t.cpu);
    }
  }
  const base = median(times['docker logs']);
  const baseMin = Math.min(...times['docker logs']);
  const baseCpu = median(cpu['docker logs']);
  for (const name of names) {
    const m = median(times[name]);
    const c = median(cpu[name]);
    const lo = Math.min(...times[name]);
    console.log(
      `${name.padEnd(20)} wall median ${m.toFixed(2)} s, ratio ${(m / base).toFixed(3)}x; best ${lo.toFixed(2)} s, ratio ${(lo / baseMin).toFixed(3)}x (runs: ${times[name].map((x) => x.toFixed(2)).join(', ')})` +
        `  | client CPU median ${c.toFixed(2)} s, ratio ${(c / baseCpu).toFixed(2)}x  | max RSS ${(Math.max(...rss[name]) / 1024) | 0} MiB`,
    );
  }
  const smallJson = timed('node', [BIN, 'logs', '--json', small]);
  const smallRaw = timed('node', [BIN, 'logs', '--format', 'raw', small]);
  console.log(`memory: berth --json max RSS ${(Math.max(...rss['berth --json']) / 1024) | 0} MiB at ${LINES} lines vs ${(smallJson.rss / 1024) | 0} MiB at ${Math.round(LINES / 4)} lines`);
  console.log(`memory: berth raw   max RSS ${(Math.max(...rss['berth --format raw']) / 1024) | 0} MiB at ${LINES} lines vs ${(smallRaw.rss / 1024) | 0} MiB at ${Math.round(LINES / 4)} lines`);
  const raw = median(times['berth --format raw']) / base;
  const json = median(times['berth --json']) / base;
  console.log(`targets: raw ${raw.toFixed(3)}x (<= 1.05x: ${raw <= 1.05 ? 'met' : 'NOT met'}), json ${json.toFixed(3)}x (<= 1.3x: ${json <= 1.3 ? 'met' : 'NOT met'})`);
}

try {
  main();
} finally {
  if (made.length) spawnSync('docker', ['rm', '-f', ...made], { stdio: 'ignore' });
}
