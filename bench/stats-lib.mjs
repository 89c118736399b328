// Shared by the stats benchmarks: labelled test containers (removed at the end, also on Ctrl-C),
// process CPU time and RSS from /proc, and tiny statistics.
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import Docker from 'dockerode';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The CLI to measure; BERTH_BIN points at another build (e.g. a clean checkout while the tree is being edited). */
export const BERTH = process.env.BERTH_BIN ?? join(ROOT, 'bin', 'berth.js');
export const docker = new Docker({ socketPath: (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '') });
const made = [];

export function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

export async function runContainer(name, cmd, host = {}) {
  const c = await docker.createContainer({
    Image: 'berth-test/busybox',
    name,
    Cmd: ['sh', '-c', cmd],
    Labels: { 'berth.bench': 'stats' },
    HostConfig: host,
  });
  made.push(c.id);
  await c.start();
  return c;
}

export async function cleanup() {
  await Promise.all(
    made.splice(0).map((id) =>
      docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
}
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));

const TICK = 100; // USER_HZ on Linux
/** CPU seconds (user + system) a live process has used. */
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / TICK; // fields 14 and 15: utime, stime
}
/** Resident set size of a live process, MiB. */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** One whole process: its CPU seconds (user + system, bash's `time`) and wall seconds; its output is discarded. */
export function measure(cmd, args) {
  const script = 'TIMEFORMAT="%3U %3S"; { time "$@" >/dev/null 2>/dev/null; } 2>&1';
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('bash', ['-c', script, 'measure', cmd, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', () => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const [user, sys] = out.trim().split(/\s+/).map(Number);
      if (!Number.isFinite(user + sys)) return reject(new Error(`could not time ${cmd} ${args.join(' ')}: ${out}`));
      resolve({ cpu: user + sys, wall });
    });
  });
}

export function spawnQuiet(cmd, args) {
  return spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const fmt = (n, d = 2) => Number(n).toFixed(d);
