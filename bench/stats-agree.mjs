// Does `berth stats` agree with `docker stats`? A container burning CPU (--cpus 0.5, busy loop) and an idle
// one, measured by both tools in the same run. Targets: CPU% within 3 points, memory% within 0.2 points.
//
// Part 1, --no-stream: each round runs `berth stats --no-stream --json` and `docker stats --no-stream
// --format json` concurrently. Each tool samples two engine collector ticks; docker is started later by
// berth's measured start-up time (node starts slower than the Go CLI) so both tend to land on the same
// ticks; when they do not, on a loaded machine the busy container's CPU differs from one second to the next
// and so do the figures.
// Part 2, streaming: both tools follow the same containers for a while; each berth record is paired with
// docker's first refresh after it (docker redraws every 500 ms from the latest engine reading, which both
// tools receive at the same tick), so both show the same reading.
// Usage: node bench/stats-agree.mjs [--rounds 5] [--seconds 12]
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { BERTH, cleanup, fmt, median, runContainer, sleep, arg } from './stats-lib.mjs';

const run = promisify(execFile);
const rounds = arg('rounds', 5);
const seconds = arg('seconds', 12);
const tag = Math.random().toString(16).slice(2, 8);
const worst = { cpu: 0, mem: 0 };

function note(cpu, mem) {
  worst.cpu = Math.max(worst.cpu, Math.abs(cpu[0] - cpu[1]));
  worst.mem = Math.max(worst.mem, Math.abs(mem[0] - mem[1]));
}

function row(label, name, cpu, mem) {
  return `${label.padEnd(8)}${name.padEnd(26)}${fmt(cpu[0]).padStart(10)}  ${fmt(cpu[1]).padStart(11)}  ${fmt(Math.abs(cpu[0] - cpu[1])).padStart(5)}  ${fmt(mem[0], 3).padStart(10)}  ${fmt(mem[1]).padStart(11)}  ${fmt(Math.abs(mem[0] - mem[1]), 3).padStart(5)}`;
}

async function startupMs() {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    await run('node', [BERTH, '--version']);
    times.push(Date.now() - t0);
  }
  return median(times);
}

async function noStreamRound(ids, delayMs) {
  const [b, d] = await Promise.all([
    run('node', [BERTH, 'stats', '--no-stream', '--json', ...ids]),
    sleep(delayMs).then(() => run('docker', ['stats', '--no-stream', '--format', '{{json .}}', ...ids])),
  ]);
  const ours = Object.fromEntries(
    b.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((r) => [r.name, r]),
  );
  const theirs =
    b &&
    d.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  return theirs.map((t) => ({ name: t.Name, cpu: [ours[t.Name].cpuPercent, parseFloat(t.CPUPerc)], mem: [ours[t.Name].memPercent, parseFloat(t.MemPerc)] }));
}

function lines(child, onLine) {
  createInterface({ input: child.stdout }).on('line', (l) => onLine(l, Date.now()));
}

async function streamed(ids) {
  const ours = [];
  const theirs = [];
  const b = spawn('node', [BERTH, 'stats', '--json', ...ids]);
  const d = spawn('docker', ['stats', '--format', '{{json .}}', ...ids]);
  lines(b, (l, at) => ours.push({ at, r: JSON.parse(l) }));
  lines(d, (l, at) => {
    for (const m of l.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').matchAll(/\{[^{}]*\}/g)) theirs.push({ at, r: JSON.parse(m[0]) });
  });
  await sleep(seconds * 1000);
  b.kill('SIGINT');
  d.kill('SIGKILL'); // the docker CLI ignores SIGINT when its output is not a terminal
  const pairs = [];
  for (const o of ours) {
    if (o.r.cpuPercent === undefined) continue;
    const t = theirs.find((x) => x.r.Name === o.r.name && x.at > o.at + 20);
    if (t && t.at < o.at + 900) pairs.push({ name: o.r.name, cpu: [o.r.cpuPercent, parseFloat(t.r.CPUPerc)], mem: [o.r.memPercent, parseFloat(t.r.MemPerc)] });
  }
  return pairs;
}

try {
  const busy = await runContainer(`berth-bench-busy-${tag}`, 'while :; do :; done', { NanoCpus: 500_000_000 });
  const idle = await runContainer(`berth-bench-idle-${tag}`, 'sleep 3600');
  const ids = [busy.id, idle.id];
  await sleep(3000);
  const delay = await startupMs();
  console.log(`berth start-up ${delay} ms (docker is started that much later in part 1)`);
  console.log('round   container                 berth CPU%  docker CPU%  diff   berth MEM%  docker MEM%  diff');
  for (let i = 1; i <= rounds; i++)
    for (const r of await noStreamRound(ids, delay)) {
      note(r.cpu, r.mem);
      console.log(row(`ns ${i}`, r.name, r.cpu, r.mem));
    }
  const noStreamWorst = { ...worst };
  const pairs = await streamed(ids);
  for (const p of pairs) {
    note(p.cpu, p.mem);
    console.log(row('stream', p.name, p.cpu, p.mem));
  }
  const sd = pairs.map((p) => Math.abs(p.cpu[0] - p.cpu[1]));
  console.log(`--no-stream: worst CPU% difference ${fmt(noStreamWorst.cpu)} points, worst MEM% difference ${fmt(noStreamWorst.mem, 3)} points`);
  console.log(`streaming (${pairs.length} paired readings): worst CPU% difference ${fmt(Math.max(0, ...sd))} points, median ${fmt(median(sd.length ? sd : [0]))}`);
  console.log(`overall worst CPU% difference ${fmt(worst.cpu)} points (target <= 3): ${worst.cpu <= 3 ? 'met' : 'NOT met'}`);
  console.log(`overall worst MEM% difference ${fmt(worst.mem, 3)} points (target <= 0.2): ${worst.mem <= 0.2 ? 'met' : 'NOT met'}`);
} finally {
  await cleanup();
}
process.exit(0); // dockerode's keep-alive sockets would hold the process open
