#!/usr/bin/env node
// Wake latency of a swarm service: `berth wake --service NAME` (scale back to its 3 replicas, then wait
// until every task runs) against the docker CLI doing the same in a shell (`docker service scale
// --detach`, then polling `docker service ls` every 100 ms until 3/3 run), on the same service of the 3-node
// test swarm (scripts/test-swarm.sh; brought up here when it is not, and taken down again), alternating,
// median of RUNS each. Between runs the service is scaled to 0 and its tasks waited gone.
// Usage (root): node bench/wake-swarm.mjs [runs]   (needs a built dist/)
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BERTH = join(ROOT, 'bin', 'berth.js');
const RUNS = Number(process.argv[2] ?? 5);
const STATE = process.env.BERTH_SWARM_STATE ?? join(ROOT, '.test-swarm');
const host = (n) => `unix://${STATE}/n${n}/docker.sock`;
const env = { ...process.env, DOCKER_HOST: host(1) };
const nodes = ['--node', `berth-sw-n2=${host(2)}`, '--node', `berth-sw-n3=${host(3)}`];
const run = (cmd, args) =>
  execFileSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
const swarm = (action) => execFileSync('bash', [join(ROOT, 'scripts', 'test-swarm.sh'), action], { stdio: ['ignore', 'ignore', 'inherit'] });
const timeIt = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

let started = false;
try {
  execFileSync('bash', [join(ROOT, 'scripts', 'test-swarm.sh'), 'status']);
} catch {
  swarm('up');
  started = true;
}
const name = `berth-bench-wake-${process.pid}`;
try {
  run('docker', [
    'service',
    'create',
    '--detach',
    '--no-resolve-image',
    '--name',
    name,
    '--replicas',
    '3',
    '--replicas-max-per-node',
    '1',
    '--stop-grace-period',
    '1s',
    'berth-sw/busybox:1',
    'sh',
    '-c',
    'exec sleep 3600',
  ]);
  const asleep = () => {
    run('docker', ['service', 'scale', '--detach', `${name}=0`]);
    while (run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', name]) !== '') sleepMs(100);
    for (const n of [1, 2, 3]) while (run('docker', ['-H', host(n), 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}`]) !== '') sleepMs(100);
  };
  const berth = [];
  const docker = [];
  for (let i = 0; i < RUNS; i++) {
    asleep();
    berth.push(timeIt(() => execFileSync('node', [BERTH, 'wake', '--service', name, '--json', ...nodes], { env, stdio: ['ignore', 'ignore', 'inherit'] })));
    asleep();
    docker.push(
      timeIt(() => {
        run('docker', ['service', 'scale', '--detach', `${name}=3`]);
        while (!run('docker', ['service', 'ls', '--filter', `name=${name}`, '--format', '{{.Replicas}}']).startsWith('3/3')) sleepMs(100);
      }),
    );
  }
  const b = median(berth);
  const d = median(docker);
  console.log(`swarm service wake, 3 replicas on 3 nodes, median of ${RUNS} runs each, alternating (lower is better)`);
  console.log(
    `berth wake --service ${b.toFixed(0).padStart(5)} ms   docker service scale + service ls loop ${d.toFixed(0).padStart(5)} ms   difference ${(b - d).toFixed(0)} ms, ratio ${(b / d).toFixed(2)}`,
  );
} finally {
  try {
    run('docker', ['service', 'rm', name]);
  } catch {
    // the swarm went away
  }
  if (started) swarm('down');
}
