#!/usr/bin/env node
// How `berth templates` does on logs it was not tuned on (needs `npm run build`).
//   1. the generated corpus (bench/gen-container-logs.mjs, seed 7 unless
//      given): GA per container-log style with default options, and the mean.
//   2. leave-one-dataset-out over the 8 shared Loghub-2k sets: for each held-out
//      set, the option values (--similarity, --depth, from a small grid) with
//      the best mean GA on the other 7 are chosen, and the held-out set's GA
//      with them is reported; then the mean over the 8 held-out figures.
// GA as in bench/templates-accuracy.mjs (a line is right iff its predicted
// group is exactly its true group).
// Usage: node bench/templates-generalize.mjs [corpus|loo|all] [seed=7] [lines=1500]
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_STYLES, HELD_OUT_STYLES, NEW_STYLES, generateCorpus } from './gen-container-logs.mjs';
import { groupingAccuracy, predict, truthIds } from './templates-accuracy.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = join(ROOT, '..', 'shared', 'bench-data', 'loghub2k');
const [what = 'all', seed = '7', lines = '1500'] = process.argv.slice(2);
const GRID = [0.6, 0.7, 0.8].flatMap((s) => [3, 4].map((d) => ['--similarity', String(s), '--depth', String(d)]));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

function corpus() {
  const dir = mkdtempSync(join(tmpdir(), 'berth-gen-'));
  try {
    const rows = [];
    for (const [name, { lines: ls, truth }] of Object.entries(generateCorpus(Number(lines), Number(seed)))) {
      const file = join(dir, `${name}.log`);
      writeFileSync(file, ls.join('\n') + '\n');
      const pred = predict(file);
      if (pred.length !== truth.length) throw new Error(`${name}: ${pred.length} annotated lines for ${truth.length}`);
      rows.push({ name, ga: groupingAccuracy(pred, truth), templates: new Set(pred).size, events: new Set(truth).size });
    }
    console.log(`generated corpus (seed ${seed}, ${lines} lines per style)`);
    console.log('style                GA     templates  events');
    for (const r of rows) console.log(`${r.name.padEnd(19)}  ${r.ga.toFixed(3)}  ${String(r.templates).padStart(5)}      ${String(r.events).padStart(5)}`);
    const groups = [
      ['mean, first', (r) => ![...NEW_STYLES, ...DEV_STYLES, ...HELD_OUT_STYLES].includes(r.name)],
      ['mean, added', (r) => NEW_STYLES.includes(r.name)],
      ['mean, dev', (r) => DEV_STYLES.includes(r.name)],
      ['mean, held out', (r) => HELD_OUT_STYLES.includes(r.name)],
    ];
    console.log(`${'mean'.padEnd(15)}  ${mean(rows.map((r) => r.ga)).toFixed(3)}  (${rows.length} styles)`);
    for (const [label, inGroup] of groups) {
      const some = rows.filter(inGroup);
      if (some.length) console.log(`${label.padEnd(15)}  ${mean(some.map((r) => r.ga)).toFixed(3)}  (${some.length} styles${some.length < 13 ? ': ' + some.map((r) => r.name).join(' ') : ''})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function loo() {
  const sets = readdirSync(DATA, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const ga = GRID.map((opts) =>
    sets.map((name) => {
      const base = join(DATA, name, `${name}_2k.log`);
      return groupingAccuracy(predict(base, opts), truthIds(`${base}_structured.csv`));
    }),
  );
  console.log('leave-one-dataset-out (options chosen on the other 7 from: ' + GRID.map((g) => `${g[1]}/${g[3]}`).join(' ') + ' similarity/depth)');
  const held = sets.map((name, h) => {
    let best = 0;
    GRID.forEach((_, c) => {
      const others = (k) => mean(ga[k].filter((_, i) => i !== h));
      if (others(c) > others(best)) best = c;
    });
    console.log(
      `${name.padEnd(13)} held out: ${ga[best][h].toFixed(3)}  (chosen ${GRID[best][1]}/${GRID[best][3]}; defaults ${ga[GRID.findIndex((g) => g[1] === '0.8' && g[3] === '3')][h].toFixed(3)})`,
    );
    return ga[best][h];
  });
  console.log(`${'mean'.padEnd(13)} held out: ${mean(held).toFixed(3)}`);
}

if (what === 'corpus' || what === 'all') corpus();
if (what === 'loo' || what === 'all') loo();
