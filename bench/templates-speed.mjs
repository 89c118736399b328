#!/usr/bin/env node
// Throughput and memory of `berth templates` on raw lines, three inputs, each
// against an awk one-liner that counts lines by shape (digits folded: the
// naive way to "group" a log) run on the same file in the same run:
//   1. mixed: the eight Loghub-2k datasets concatenated over and over, every
//      number replaced by random digits of the same length (the shape cache's
//      common case);
//   2. fresh values: the same lines with numbers replaced by random hex (a
//      digit, then hex digits and letters, like ids): mostly shape-cache
//      misses, the full parser on every line;
//   3. never-matching: lines of random words (8 per line, fresh every line):
//      every line makes a new template, so from line 10,001 on the default
//      --max-templates 10000 is full and each line is compared with 10,000
//      templates and matches none (the worst case of a Drain leaf scan).
// All three have the same number of lines. Each is also run on its first
// quarter, which gives the steady rate: the lines from N/4 to N over the CPU
// they added (start-up, JIT warm-up and the first 10,000 templates left out).
// Target: never-matching within 2x of mixed in lines/s over whole runs of
// equal length (the steady ratio and the earlier measure, never-matching on a
// quarter of the lines against mixed on all, are printed beside it); the
// ratios to awk printed. Then (optional) peak RSS with N lines piped in and
// --max-templates 5000.
// CPU is user+sys of the process (one core; the best of `runs` is the figure);
// Node's start (about 0.3 s) is included. Needs /usr/bin/time (GNU time) and `npm run build`.
// Usage: node bench/templates-speed.mjs [lines=1000000] [rssLines=0] [runs=2]
import { spawnSync, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '..', 'shared', 'bench-data', 'loghub2k');
const BERTH = process.env.BERTH_BIN ?? join(ROOT, 'bin', 'berth.js'); // BERTH_BIN: another build's bin/berth.js, to compare builds in one run
const LINES = Number(process.argv[2] ?? 1_000_000);
const RSS_LINES = Number(process.argv[3] ?? 0);
const RUNS = Number(process.argv[4] ?? 2);

function sourceLines() {
  const out = [];
  for (const d of readdirSync(DATA, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    out.push(
      ...readFileSync(join(DATA, d.name, `${d.name}_2k.log`), 'utf8')
        .split('\n')
        .map((l) => l.replace(/\r$/, ''))
        .filter(Boolean),
    );
  }
  return out;
}

/** Writes n lines of 8 random lower-case words (6-9 letters: fresh every line) to a stream. */
async function generateWords(out, n) {
  let seed = 7;
  const rnd = (k) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % k;
  const word = () => {
    let w = '';
    for (let i = 6 + rnd(4); i > 0; i--) w += String.fromCharCode(97 + rnd(26));
    return w;
  };
  let buf = '';
  for (let i = 0; i < n; i++) {
    buf += `${word()} ${word()} ${word()} ${word()} ${word()} ${word()} ${word()} ${word()}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  await new Promise((r) => out.end(buf, r));
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

const AWK = `awk '{ gsub(/[0-9]+/, "0"); c[$0]++ } END { for (k in c) n++; print n }'`;

/** Best of RUNS runs of berth, and one awk run, on a file. */
function measure(file) {
  const runs = Array.from({ length: RUNS }, () => timed(`node ${BERTH} templates --json < ${file} > /dev/null`));
  const best = runs.reduce((x, y) => (y.cpu < x.cpu ? y : x));
  const awk = timed(`${AWK} < ${file} > /dev/null`);
  return { best, runs, awk };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tpl-bench-'));
  try {
    const inputs = [
      ['mixed', (f) => generate(createWriteStream(f), LINES, false)],
      ['fresh values', (f) => generate(createWriteStream(f), LINES, true)],
      ['never-matching, 10,000 templates', (f) => generateWords(createWriteStream(f), LINES)],
    ];
    console.log(`berth templates, CPU = user+sys of one process, best of ${RUNS}; awk shape count on the same file`);
    const rates = [];
    const steady = [];
    const quarter = [];
    for (const [name, gen] of inputs) {
      const file = join(dir, 'lines.log');
      await gen(file);
      const n = Number(spawnSync('bash', ['-c', `wc -l < ${file}`], { encoding: 'utf8' }).stdout.trim());
      const n4 = Math.round(n / 4);
      const { best, runs, awk } = measure(file);
      const file4 = join(dir, 'quarter.log');
      spawnSync('bash', ['-c', `head -n ${n4} ${file} > ${file4}`]);
      const q = measure(file4).best;
      rmSync(file4);
      rates.push(n / best.cpu);
      quarter.push(n4 / q.cpu);
      steady.push((n - n4) / Math.max(1e-3, best.cpu - q.cpu));
      console.log(
        `  ${name.padEnd(34)} ${n.toLocaleString('en-US').padStart(9)} lines  ${rate(n, best.cpu).padStart(18)} (cpu ${runs.map((x) => x.cpu.toFixed(2)).join(' / ')} s)  awk ${rate(n, awk.cpu).padStart(18)}  berth/awk ${(awk.cpu / best.cpu).toFixed(2)}`,
      );
      console.log(
        `  ${''.padEnd(34)} first ${n4.toLocaleString('en-US')} lines ${rate(n4, q.cpu)} (cpu ${q.cpu.toFixed(2)} s); steady, lines ${n4.toLocaleString('en-US')}-${n.toLocaleString('en-US')}: ${rate(n - n4, best.cpu - q.cpu)}`,
      );
      rmSync(file);
    }
    const whole = rates[2] / rates[0];
    console.log(`  never-matching / mixed, whole runs of ${LINES.toLocaleString('en-US')} lines: ${whole.toFixed(2)} (target >= 0.5: ${whole >= 0.5 ? 'met' : 'NOT met'})`);
    console.log(
      `  never-matching / mixed, steady rates: ${(steady[2] / steady[0]).toFixed(2)}; never-matching on ${Math.round(LINES / 4).toLocaleString('en-US')} lines / mixed on ${LINES.toLocaleString('en-US')} (the earlier measure): ${(quarter[2] / rates[0]).toFixed(2)}`,
    );
    if (RSS_LINES > 0) {
      const rss = await pipedRss(RSS_LINES);
      console.log(
        `${RSS_LINES.toLocaleString('en-US')} lines piped in, --max-templates 5000: peak RSS ${Math.round(rss.rssKb / 1024)} MB, cpu ${rss.cpu.toFixed(1)} s; target < 200 MB: ${rss.rssKb < 200 * 1024 ? 'met' : 'NOT met'}`,
      );
    }
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
