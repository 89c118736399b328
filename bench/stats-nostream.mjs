// `berth stats --no-stream` against `docker stats --no-stream` for N running containers (default 20): wall
// time of each, alternated, R runs each (default 5). Target: berth's median no more than docker's.
// Usage: node bench/stats-nostream.mjs [--containers 20] [--runs 5]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BERTH, cleanup, fmt, median, runContainer, sleep, arg } from './stats-lib.mjs';

const run = promisify(execFile);
const n = arg('containers', 20);
const runs = arg('runs', 5);
const tag = Math.random().toString(16).slice(2, 8);

async function timed(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = await run(cmd, args);
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, lines: r.stdout.trim().split('\n').length };
}

try {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await runContainer(`berth-bench-ns-${tag}-${i}`, 'sleep 3600')).id);
  await sleep(2000);
  const ours = [];
  const theirs = [];
  for (let i = 0; i < runs; i++) {
    const b = await timed('node', [BERTH, 'stats', '--no-stream', '--json', ...ids]);
    const d = await timed('docker', ['stats', '--no-stream', ...ids]);
    if (b.lines !== n || d.lines !== n + 1) throw new Error(`expected ${n} samples, got berth ${b.lines}, docker ${d.lines - 1}`);
    ours.push(b.ms);
    theirs.push(d.ms);
  }
  const bm = median(ours);
  const dm = median(theirs);
  console.log(`${n} containers, ${runs} runs each; berth ms: ${ours.map((x) => fmt(x, 0)).join(' ')}; docker ms: ${theirs.map((x) => fmt(x, 0)).join(' ')}`);
  console.log(`median wall: berth ${fmt(bm, 0)} ms, docker ${fmt(dm, 0)} ms, ratio berth/docker ${fmt(bm / dm)} (target <= 1): ${bm <= dm ? 'met' : 'NOT met'}`);
} finally {
  await cleanup();
}
process.exit(0); // dockerode's keep-alive sockets would hold the process open
