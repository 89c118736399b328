#!/usr/bin/env node
// Grouping Accuracy of `berth templates` on the Loghub-2k samples.
// Feeds each RAW *_2k.log (headers, CRLF and all) to `berth templates --annotate`
// with default options, then scores the templateId of every line against the
// ground truth EventId of *_structured.csv (and *_structured_corrected.csv).
// GA: a line is correct iff the set of lines in its predicted group equals the
// set of lines with its ground-truth EventId.
// Usage: node bench/templates-accuracy.mjs [data-dir]   (needs `npm run build`; BERTH_BIN=path/to/berth.js scores another build)
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = process.argv[2] ?? join(ROOT, '..', 'shared', 'bench-data', 'loghub2k');
// Published reference points (mean GA over all sixteen Loghub-2k sets; not measured here).
const REFERENCE = { 'Drain, tuned per dataset, message column only': 0.865, 'Drain3 defaults, raw lines': 0.475 };

/** RFC 4180 CSV (quoted fields with "" escapes, CRLF or LF). */
export function parseCsv(text) {
  const rows = [];
  let row = [],
    field = '',
    quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (c !== '\r') field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function groupingAccuracy(predicted, truth) {
  const members = (labels) => {
    const m = new Map();
    labels.forEach((l, i) => (m.get(l) ?? m.set(l, []).get(l)).push(i));
    return m;
  };
  const byPred = members(predicted);
  let correct = 0;
  for (const lines of members(truth).values()) {
    const p = predicted[lines[0]];
    if (byPred.get(p).length === lines.length && lines.every((i) => predicted[i] === p)) correct += lines.length;
  }
  return correct / truth.length;
}

export function truthIds(file) {
  const rows = parseCsv(readFileSync(file, 'utf8'));
  const col = rows.shift().indexOf('EventId');
  return rows.filter((r) => r.length > col).map((r) => r[col]);
}

export function predict(logFile, extra = []) {
  const res = spawnSync('node', [process.env.BERTH_BIN ?? join(ROOT, 'bin', 'berth.js'), 'templates', '--annotate', ...extra], { input: readFileSync(logFile), maxBuffer: 1 << 28 });
  if (res.status !== 0) throw new Error(`berth templates failed on ${logFile}: ${res.stderr}`);
  return res.stdout
    .toString()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).templateId);
}

function main() {
  const sets = readdirSync(DATA, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const rows = [];
  for (const name of sets) {
    const base = join(DATA, name, `${name}_2k.log`);
    const pred = predict(base);
    const truth = truthIds(`${base}_structured.csv`);
    if (pred.length !== truth.length) throw new Error(`${name}: ${pred.length} annotated lines for ${truth.length} labelled`);
    const corrected = existsSync(`${base}_structured_corrected.csv`) ? groupingAccuracy(pred, truthIds(`${base}_structured_corrected.csv`)) : NaN;
    rows.push({ name, ga: groupingAccuracy(pred, truth), corrected, templates: new Set(pred).size, events: new Set(truth).size });
  }
  const mean = (k) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  console.log('dataset        GA     GA(corrected)  templates  events');
  for (const r of rows) console.log(`${r.name.padEnd(13)} ${r.ga.toFixed(3)}  ${r.corrected.toFixed(3)}          ${String(r.templates).padStart(5)}     ${String(r.events).padStart(5)}`);
  console.log(`${'mean'.padEnd(13)} ${mean('ga').toFixed(3)}  ${mean('corrected').toFixed(3)}`);
  for (const [what, ga] of Object.entries(REFERENCE)) console.log(`ratio to ${what} (published ${ga}): ${(mean('ga') / ga).toFixed(3)}`);
  console.log(`target mean GA >= 0.90: ${mean('ga') >= 0.9 ? 'met' : 'NOT met'}`);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
