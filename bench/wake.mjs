#!/usr/bin/env node
// Wake latency: `berth wake NAME` (start + wait until ready, one process)
// against the docker CLI doing the same in a shell (`docker start`, then
// polling `docker inspect` every 100 ms until running / healthy), measured in
// the same run on the same container, alternating, median of RUNS each.
// Usage: node bench/wake.mjs [runs]   (needs a built dist/ and the test image)
import { execFileSync, execSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BERTH = join(ROOT, 'bin', 'berth.js');
const RUNS = Number(process.argv[2] ?? 7);
const labels = ['--label', 'berth.bench=wake'];

const sh = (cmd) =>
  execSync(cmd, { stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
const timeIt = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function scenario(title, createArgs, readyTest) {
  const name = `berth-bench-wake-${process.pid}-${title.replace(/\W+/g, '-')}`;
  execFileSync('docker', ['create', ...labels, '--name', name, ...createArgs, 'berth-test/busybox', 'sh', '-c', 'exec sleep 600'], { stdio: 'ignore' });
  const berth = [];
  const docker = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      berth.push(timeIt(() => execFileSync('node', [BERTH, 'wake', name, '--json'], { stdio: ['ignore', 'ignore', 'inherit'] })));
      sh(`docker kill ${name}`);
      docker.push(timeIt(() => sh(`docker start ${name} >/dev/null && until [ "$(docker inspect -f '${readyTest}' ${name})" = ok ]; do sleep 0.1; done`)));
      sh(`docker kill ${name}`);
    }
  } finally {
    execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  }
  const b = median(berth);
  const d = median(docker);
  console.log(`${title.padEnd(28)} berth wake ${b.toFixed(0).padStart(5)} ms   docker start + inspect loop ${d.toFixed(0).padStart(5)} ms   ratio berth/docker ${(b / d).toFixed(2)}`);
  return b / d;
}

console.log(`wake latency, median of ${RUNS} runs each, alternating (lower is better)`);
scenario('no healthcheck (running)', [], '{{if .State.Running}}ok{{end}}');
scenario('healthcheck, 1s interval', ['--health-cmd', 'true', '--health-interval', '1s'], '{{if eq .State.Health.Status "healthy"}}ok{{end}}');
