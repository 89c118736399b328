#!/usr/bin/env node
// Throughput and memory of `berth templates` on raw log lines.
//   1. 2,000,000 lines: the eight Loghub-2k datasets concatenated over and over,
//      every number in every line replaced by random digits of the same length;
//      `berth templates` to /dev/null, against peers run on the same file:
//      `wc -l` (the cost of reading) and an awk one-liner that counts lines by
//      shape (digits folded), the naive way to "group" a log.
//   2. the same lines with numbers replaced by random hex (a digit, then hex
//      digits and letters, like ids), which defeats berth's shape cache: the
//      full parser on every line.
//   3. 10,000,000 lines piped in with --max-templates 5000: peak RSS.
// CPU is user+sys of the process (one core; the best of three runs is the
// figure, all three are printed); wall time is printed too, since a loaded
// machine stretches it. Node's start (about 0.3 s) is included. Needs /usr/bin/time (GNU time) and `npm run build`.
// Usage: node bench/templates-speed.mjs [lines=2000000] [rssLines=10000000]
import { spawnSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '..', 'shared', 'bench-data', 'loghub2k');
const BERTH = join(ROOT, 'bin', 'berth.js');
const LINES = Number(process.argv[2] ?? 2_000_000);
const RSS_LINES = Number(process.argv[3] ?? 10_000_000);

function sourceLines() {
  const out = [];
  for (const d of readdirSync(DATA, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    out.push(...readFileSync(join(DATA, d.name, `${d.name}_2k.log`), 'utf8').split('\n').map((l) => l.replace(/\r$/, '')).filter(Boolean));
  }
  return out;
}

/** Writes n varied lines to a stream; `hex` varies numbers with hex letters too. */
async function generate(out, n, hex) {
  const src = sourceLines();
  let seed = 42;
  const rnd = (k) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
  const vary = (m) => {
    let s = '';
    for (let i = 0; i < m.length; i++) s += hex && i > 0 ? '0123456789abcdef'[rnd(16)] : String(rnd(10));
    return s;
  };
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += src[i % src.length].replace(/\d+/g, vary) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  await new Promise((r) => out.end(buf, r));
}

/** Runs a shell command under GNU time; returns cpu seconds, wall seconds and peak RSS (KB). */
function timed(cmd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S %e %M', 'bash', '-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const [u, s, e, m] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { cpu: u + s, wall: e, rssKb: m, stdout: r.stdout };
}

const rate = (n, s) => `${Math.round(n / s).toLocaleString('en-US')} lines/s`;

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tpl-bench-'));
  try {
    const file = join(dir, 'lines.log');
    const hexFile = join(dir, 'hex.log');
    await generate(createWriteStream(file), LINES, false);
    await generate(createWriteStream(hexFile), LINES, true);
    const wc = timed(`wc -l < ${file} > /dev/null`);
    const awk = timed(`awk '{ gsub(/[0-9]+/, "0"); c[$0]++ } END { for (k in c) n++; print n }' < ${file}`);
    const runs = [1, 2, 3].map(() => timed(`node ${BERTH} templates --json < ${file} > /dev/null`));
    const b = runs.reduce((x, y) => (y.cpu < x.cpu ? y : x));
    const hex = timed(`node ${BERTH} templates --json < ${hexFile} > /dev/null`);
    console.log(`${LINES.toLocaleString('en-US')} raw lines (${Math.round(readFileSync(file).length / 1e6)} MB), CPU = user+sys of one process`);
    console.log(`  berth templates, 3 runs: cpu ${runs.map((r) => r.cpu.toFixed(2)).join(' / ')} s, wall ${runs.map((r) => r.wall.toFixed(2)).join(' / ')} s; best:`);
    console.log(`  berth templates        cpu ${b.cpu.toFixed(2)} s  wall ${b.wall.toFixed(2)} s  ${rate(LINES, b.cpu)} (cpu), ${rate(LINES, b.wall)} (wall), peak RSS ${Math.round(b.rssKb / 1024)} MB`);
    console.log(`  same, hex-varied lines cpu ${hex.cpu.toFixed(2)} s  wall ${hex.wall.toFixed(2)} s  ${rate(LINES, hex.cpu)} (cpu): ids with letters, mostly shape-cache misses`);
    console.log(`  peer awk shape count   cpu ${awk.cpu.toFixed(2)} s  ${rate(LINES, awk.cpu)} (cpu)   ratio berth/awk speed ${(awk.cpu / b.cpu).toFixed(2)}`);
    console.log(`  peer wc -l             cpu ${wc.cpu.toFixed(2)} s  ${rate(LINES, wc.cpu)} (cpu)   ratio berth/wc speed ${(wc.cpu / b.cpu).toFixed(3)}`);
    console.log(`  target >= 500,000 lines/s on one core: ${LINES / b.cpu >= 500_000 ? 'met' : 'NOT met'} (cpu); ${LINES / b.wall >= 500_000 ? 'met' : 'not met'} (wall)`);
    rmSync(file);
    rmSync(hexFile);
    const rss = await pipedRss(RSS_LINES);
    console.log(`${RSS_LINES.toLocaleString('en-US')} lines piped in, --max-templates 5000: peak RSS ${Math.round(rss.rssKb / 1024)} MB, cpu ${rss.cpu.toFixed(1)} s; target < 200 MB: ${rss.rssKb < 200 * 1024 ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Generates lines into berth's stdin (so no 1.4 GB file) and reads berth's peak RSS from GNU time. */
function pipedRss(n) {
  const child = spawn('/usr/bin/time', ['-f', '%U %S %e %M', 'node', BERTH, 'templates', '--json', '--max-templates', '5000'], { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`berth templates failed: ${err}`));
      const [u, s, e, m] = err.trim().split('\n').pop().split(' ').map(Number);
      resolve({ cpu: u + s, wall: e, rssKb: m });
    });
    generate(child.stdin, n, false).catch(reject);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
