// Which HTTP stack should berth's engine client use? Several builds of berth (one per stack), measured
// side by side in one run on the benches that judge it, each against that bench's own peer:
//   version  `berth --version` against `node -e 0` (bench/startup.mjs row 1): CPU, target <= 1.5x;
//   oneshot  `berth stats --no-stream --json ONE` against `node -e 0` and `docker stats --no-stream ONE`
//            (bench/startup.mjs row 2): CPU, target <= 2x Node's floor;
//   nostream `berth stats --no-stream --json` of N containers against `docker stats --no-stream` (bench/
//            stats-nostream.mjs): wall, target <= docker's; CPU beside it;
//   follow   `berth stats --json` following N containers (default 20) for S seconds (default 60) beside
//            `docker stats` and bench/stats-floor.mjs (bench/stats-cost.mjs): CPU, target <= docker's;
//   logs     `berth logs --format raw` and `--json` of a container of L lines (default 1,000,000) against
//            `docker logs` (bench/logs.mjs): wall time, targets: the ratios of the README or better.
// Commands are alternated (the order rotates each round), R rounds (default 3) after one warm-up;
// medians, with every run's figure. The builds: BERTH_BUILDS="name=/path/bin/berth.js,name=...".
// Every command here runs against the engine of DOCKER_HOST (default socket).
// Usage: BERTH_BUILDS=... node bench/engine-http.mjs [--runs 3] [--containers 20] [--seconds 60]
//        [--lines 1000000] [--rows version,oneshot,nostream,follow,logs]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { ROOT, arg, cleanup, cpuSeconds, fmt, measure, median, runContainer, sleep, spawnQuiet } from './stats-lib.mjs';

const runs = arg('runs', 3);
const n = arg('containers', 20);
const seconds = arg('seconds', 60);
const lines = arg('lines', 1_000_000);
const NODE = process.execPath;
const rowsAt = process.argv.indexOf('--rows');
const rows = rowsAt > 0 ? process.argv[rowsAt + 1].split(',') : ['version', 'oneshot', 'nostream', 'follow', 'logs'];
const builds = (process.env.BERTH_BUILDS ?? '')
  .split(',')
  .filter(Boolean)
  .map((b) => b.split('='));
if (!builds.length) throw new Error('BERTH_BUILDS is empty: name=/path/bin/berth.js,...');
const tag = Math.random().toString(16).slice(2, 8);
/** Containers are named PREFIX-TAG-...; BENCH_PREFIX sets it (on a shared engine, a name of your own). */
const prefix = process.env.BENCH_PREFIX ?? 'berth-bench-http';
const made = [];

/** Each named command once per round, the order rotated each round, after one warm-up round: every run's figures. */
async function alternate(named) {
  const names = Object.keys(named);
  for (const name of names) await measure(...named[name]);
  const all = Object.fromEntries(names.map((k) => [k, { cpu: [], wall: [] }]));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      const m = await measure(...named[name]);
      all[name].cpu.push(m.cpu);
      all[name].wall.push(m.wall);
    }
  }
  return all;
}

const list = (xs, d = 3) => xs.map((x) => fmt(x, d)).join(' ');
const line = (name, xs, d, ratio) => console.log(`  ${name.padEnd(28)} median ${fmt(median(xs), d)} (runs ${list(xs, d)})${ratio ? `  ${ratio}` : ''}`);

async function versionRow() {
  const all = await alternate({ 'node -e 0': [NODE, ['-e', '0']], ...Object.fromEntries(builds.map(([name, bin]) => [name, [NODE, [bin, '--version']]])) });
  const floor = median(all['node -e 0'].cpu);
  console.log(`\nberth --version, CPU s (target <= 1.5x node -e 0):`);
  for (const [name, x] of Object.entries(all)) line(name, x.cpu, 3, `${fmt(median(x.cpu) / floor)}x floor`);
}

async function oneShotRow() {
  const c = await runContainer(`${prefix}-${tag}`, 'sleep 3600');
  await sleep(1000);
  const all = await alternate({
    'node -e 0': [NODE, ['-e', '0']],
    'docker stats --no-stream': ['docker', ['stats', '--no-stream', c.id]],
    ...Object.fromEntries(builds.map(([name, bin]) => [name, [NODE, [bin, 'stats', '--no-stream', '--json', c.id]]])),
  });
  const floor = median(all['node -e 0'].cpu);
  console.log(`\nstats --no-stream --json ONE, CPU s (target <= 2x node -e 0); wall s after:`);
  for (const [name, x] of Object.entries(all)) line(name, x.cpu, 3, `${fmt(median(x.cpu) / floor)}x floor; wall median ${fmt(median(x.wall))}`);
}

async function noStreamRow() {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await runContainer(`${prefix}-ns-${tag}-${i}`, 'sleep 3600')).id);
  await sleep(2000);
  const all = await alternate({
    'docker stats --no-stream': ['docker', ['stats', '--no-stream', ...ids]],
    ...Object.fromEntries(builds.map(([name, bin]) => [name, [NODE, [bin, 'stats', '--no-stream', '--json', ...ids]]])),
  });
  const theirs = median(all['docker stats --no-stream'].wall);
  console.log(`\nstats --no-stream --json of ${n} containers, wall s (target <= docker stats --no-stream); CPU s after:`);
  for (const [name, x] of Object.entries(all)) line(name, x.wall, 2, `${fmt(median(x.wall) / theirs)}x docker; CPU median ${fmt(median(x.cpu), 3)} (runs ${list(x.cpu)})`);
  await cleanup();
}

async function followRow() {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await runContainer(`${prefix}-${tag}-${i}`, 'sleep 3600')).id);
  await sleep(2000);
  const peers = {
    'docker stats': ['docker', ['stats', ...ids]],
    'stats-floor.mjs': [NODE, [`${ROOT}/bench/stats-floor.mjs`, ...ids]],
    ...Object.fromEntries(builds.map(([name, bin]) => [name, [NODE, [bin, 'stats', '--json', ...ids]]])),
  };
  const names = Object.keys(peers);
  const cpu = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < runs; r++) {
    const procs = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + r) % names.length];
      procs[name] = spawnQuiet(...peers[name]);
    }
    // The first seconds (start-up, the first readings) are left out: what following costs is the rest.
    await sleep(10_000);
    const start = Object.fromEntries(names.map((k) => [k, cpuSeconds(procs[k].pid)]));
    await sleep(seconds * 1000);
    for (const k of names) {
      if (procs[k].exitCode !== null) throw new Error(`${k} exited early (${procs[k].exitCode})`);
      cpu[k].push(cpuSeconds(procs[k].pid) - start[k]);
      procs[k].kill('SIGKILL'); // the docker CLI ignores SIGTERM when its output is not a terminal
    }
    await sleep(1000);
  }
  const theirs = median(cpu['docker stats']);
  console.log(`\nstats --json following ${n} containers, CPU s over ${seconds} s, all at once (target <= docker stats):`);
  for (const [name, xs] of Object.entries(cpu)) line(name, xs, 2, `${fmt(median(xs) / theirs)}x docker`);
}

async function logsRow() {
  const name = `${prefix}-logs-${tag}`;
  const awk = `BEGIN{for(i=1;i<=${lines};i++){l=(i%50==0)?"ERROR":(i%10==0)?"WARN":(i%7==0)?"DEBUG":"INFO"; print l " request id=" i " path=/api/items/" i%997 " status=200 took=" i%89 "ms"}}`;
  execFileSync('docker', ['run', '-d', '--name', name, '--label', 'berth.bench=logs', 'berth-test/busybox', 'awk', awk], { stdio: 'ignore' });
  made.push(name);
  execFileSync('docker', ['wait', name], { stdio: 'ignore' });
  const all = await alternate({
    'docker logs': ['docker', ['logs', name]],
    ...Object.fromEntries(
      builds.flatMap(([b, bin]) => [
        [`${b} raw`, [NODE, [bin, 'logs', '--format', 'raw', name]]],
        [`${b} --json`, [NODE, [bin, 'logs', '--json', name]]],
      ]),
    ),
  });
  const base = median(all['docker logs'].wall);
  const baseCpu = median(all['docker logs'].cpu);
  console.log(`\nlogs of ${lines} lines to /dev/null, wall s (README: raw 1.09x, --json 1.37x docker logs); client CPU s after:`);
  for (const [k, x] of Object.entries(all)) line(k, x.wall, 2, `${fmt(median(x.wall) / base, 3)}x docker; CPU median ${fmt(median(x.cpu))} (${fmt(median(x.cpu) / baseCpu)}x)`);
}

try {
  console.log(`node ${process.version}; builds: ${builds.map(([k, v]) => `${k}=${v}`).join(', ')}; ${runs} rounds; load average ${list(loadavg(), 1)}`);
  if (rows.includes('version')) await versionRow();
  if (rows.includes('oneshot')) await oneShotRow();
  if (rows.includes('nostream')) await noStreamRow();
  if (rows.includes('follow')) await followRow();
  if (rows.includes('logs')) await logsRow();
  console.log(`\nload average at the end ${list(loadavg(), 1)}`);
} finally {
  await cleanup();
  if (made.length) execFileSync('docker', ['rm', '-f', ...made], { stdio: 'ignore' });
}
process.exit(0);
