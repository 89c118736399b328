// What does it cost to start berth? Three rows, each a pair of whole processes measured side by side
// in this one run, alternated, median of R runs (default 7):
//   1. `berth --version` against `node -e 0` (Node's floor): CPU seconds and wall time;
//   2. `berth stats --no-stream --json ONE` against `docker stats --no-stream ONE`, and against Node's
//      floor: CPU seconds (what the process computes; its wait for the engine costs no CPU) and wall;
//   3. `berth stats --json` against `docker stats` following N containers (default 20) for S seconds
//      (default 60), as bench/stats-cost.mjs measures them: CPU seconds from /proc.
// CPU is user + system of the child, from bash's `time` (getrusage, millisecond resolution).
// Targets (issue 19): row 1 <= 1.5x Node's floor; row 2's berth CPU <= 2x Node's floor; row 3 <= docker.
// Node is the one running this script (process.execPath), so `/path/to/node22 bench/startup.mjs`
// measures berth on Node 22; the floor is the same Node.
// Usage: node bench/startup.mjs [--runs 7] [--containers 20] [--seconds 60] [--rows 1,2,3]   (needs a
// build; rows 2 and 3 need an engine and the test image berth-test/busybox)
import { BERTH, arg, cpuSeconds, docker, fmt, measure, median, sleep, spawnQuiet } from './stats-lib.mjs';

const runs = arg('runs', 7);
const n = arg('containers', 20);
const seconds = arg('seconds', 60);
const NODE = process.execPath;
const only = (process.argv[process.argv.indexOf('--rows') + 1] ?? '').split(',');
const wanted = (i) => !process.argv.includes('--rows') || only.includes(String(i));
const tag = Math.random().toString(16).slice(2, 8);
const made = [];

/** A container of the test image, labelled for this benchmark only: not `berth.test`, whose unleased
 * containers a test run on the same engine removes (test/helpers/run-lease.ts). */
async function runContainer(name, cmd) {
  const c = await docker.createContainer({ Image: 'berth-test/busybox', name, Cmd: ['sh', '-c', cmd], Labels: { 'berth.bench': 'startup' } });
  made.push(c.id);
  await c.start();
  return c;
}
const cleanup = () =>
  Promise.all(
    made.splice(0).map((id) =>
      docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

/** Each command once per round, in turn, `runs` rounds after one warm-up round; medians per command. */
async function alternate(cmds) {
  for (const [cmd, args] of cmds) await measure(cmd, args);
  const all = cmds.map(() => ({ cpu: [], wall: [] }));
  for (let r = 0; r < runs; r++) {
    for (const [i, [cmd, args]] of cmds.entries()) {
      const m = await measure(cmd, args);
      all[i].cpu.push(m.cpu);
      all[i].wall.push(m.wall);
    }
  }
  return all.map((x) => ({ cpu: median(x.cpu), wall: median(x.wall) }));
}

const row = (what, berth, peer, ratio, target) => console.log(`| \`${what}\` | ${berth} | ${peer} | ${ratio} | ${target} |`);

async function startRow() {
  const [floor, version] = await alternate([
    [NODE, ['-e', '0']],
    [NODE, [BERTH, '--version']],
  ]);
  row(
    'berth --version',
    `${fmt(version.cpu, 3)} CPU s, ${fmt(version.wall, 3)} s wall`,
    `node -e 0: ${fmt(floor.cpu, 3)} CPU s, ${fmt(floor.wall, 3)} s wall`,
    `${fmt(version.cpu / floor.cpu)}x Node's floor (CPU)`,
    '<= 1.5x',
  );
}

async function oneShotRow() {
  const c = await runContainer(`berth-bench-startup-${tag}`, 'sleep 3600');
  await sleep(1000);
  const [floor, ours, theirs] = await alternate([
    [NODE, ['-e', '0']],
    [NODE, [BERTH, 'stats', '--no-stream', '--json', c.id]],
    ['docker', ['stats', '--no-stream', c.id]],
  ]);
  row(
    'berth stats --no-stream --json ONE',
    `${fmt(ours.cpu, 3)} CPU s, ${fmt(ours.wall)} s wall`,
    `docker stats --no-stream ONE: ${fmt(theirs.cpu, 3)} CPU s, ${fmt(theirs.wall)} s wall; node -e 0: ${fmt(floor.cpu, 3)} CPU s`,
    `${fmt(ours.cpu / floor.cpu)}x Node's floor, ${fmt(ours.cpu / theirs.cpu)}x docker (CPU)`,
    "<= 2x Node's floor",
  );
}

async function followRow() {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await runContainer(`berth-bench-startup-${tag}-${i}`, 'sleep 3600')).id);
  await sleep(2000);
  const b = spawnQuiet(NODE, [BERTH, 'stats', '--json', ...ids]);
  const d = spawnQuiet('docker', ['stats', ...ids]);
  const early = [];
  for (const [who, p] of [
    ['berth', b],
    ['docker', d],
  ])
    p.on('exit', (code, sig) => early.push(`${who} exited early (${code ?? sig})`));
  await sleep(seconds * 1000);
  if (early.length) throw new Error(early.join('; '));
  const ours = cpuSeconds(b.pid);
  const theirs = cpuSeconds(d.pid);
  b.kill('SIGTERM');
  d.kill('SIGKILL'); // the docker CLI ignores SIGTERM and SIGINT when its output is not a terminal (a leftover one reads on)
  row(`berth stats --json, ${n} containers, ${seconds} s`, `${fmt(ours)} CPU s`, `docker stats: ${fmt(theirs)} CPU s`, `${fmt(ours / theirs)}x docker (CPU)`, '<= 1x');
}

try {
  console.log(
    `node ${process.version}; ${runs} runs per command, alternated, medians; the machine's load average: ${(await import('node:os'))
      .loadavg()
      .map((l) => fmt(l, 1))
      .join(' ')}`,
  );
  console.log('| command | berth | peer | ratio | target |');
  console.log('|---|---|---|---|---|');
  if (wanted(1)) await startRow();
  if (wanted(2)) await oneShotRow();
  if (wanted(3)) await followRow();
} finally {
  await cleanup();
}
