#!/usr/bin/env node
// One watch-idle round against the docker CLI reading the same counters:
// `berth watch-idle --once` on N containers (list, read each one's network
// and CPU counters, judge, save the state) against `docker stats --no-stream`
// on the same N containers, alternating, median of RUNS each. Nothing is
// stopped: the containers' berth.idle.timeout is 1h.
// Usage: node bench/watch-idle.mjs [containers] [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BERTH = join(ROOT, 'bin', 'berth.js');
const N = Number(process.argv[2] ?? 10);
const RUNS = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'berth-bench-idle-'));
const names = Array.from({ length: N }, (_, i) => `berth-bench-idle-${process.pid}-${i}`);

const timeIt = (file, args) => {
  const t = process.hrtime.bigint();
  execFileSync(file, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  for (const n of names) {
    execFileSync('docker', ['run', '-d', '--label', 'berth.bench=watch-idle', '--label', 'berth.idle.timeout=1h', '--name', n, 'berth-test/busybox', 'sh', '-c', 'exec sleep 600'], {
      stdio: 'ignore',
    });
  }
  const berth = [];
  const docker = [];
  for (let i = 0; i < RUNS; i++) {
    berth.push(timeIt('node', [BERTH, 'watch-idle', '--once', '--json', '--state', join(dir, 'state.json'), ...names]));
    docker.push(timeIt('docker', ['stats', '--no-stream', ...names]));
  }
  const b = median(berth);
  const d = median(docker);
  console.log(`one round over ${N} containers, median of ${RUNS} (lower is better)`);
  console.log(`berth watch-idle --once ${b.toFixed(0)} ms   docker stats --no-stream ${d.toFixed(0)} ms   ratio berth/docker ${(b / d).toFixed(2)}`);
} finally {
  execFileSync('docker', ['rm', '-f', ...names], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}
