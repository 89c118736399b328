#!/usr/bin/env node
// Prints the failed tests (file, name, the first line of the failure), the tests that passed only on
// their retry (vitest's `retry`: a passed test that carries failure messages), and one closing line over
// vitest's JSON reports: "tests: N passed (R after a retry), N failed, N skipped". The failures come last so that the tail of a
// long log (all a CI page may keep) names them. A test file that failed to load (no test ran) counts as
// one failure.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const retried = [];
const firstLine = (messages) =>
  String((messages ?? [])[0] ?? '')
    .split('\n')
    .find((l) => l.trim()) ?? '';
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  for (const t of r.testResults ?? []) {
    const where = relative(process.cwd(), t.name ?? '');
    const bad = (t.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of t.assertionResults ?? []) {
      if (a.status === 'passed' && a.failureMessages?.length) retried.push(`${where} > ${a.fullName ?? a.title}: ${firstLine(a.failureMessages).slice(0, 300)}`);
    }
    for (const a of bad) failures.push(`${where} > ${a.fullName ?? a.title}: ${firstLine(a.failureMessages).slice(0, 300)}`);
    if (t.status === 'failed' && !bad.length) {
      failed++;
      failures.push(
        `${where}: ${String(t.message ?? 'failed to run')
          .split('\n')[0]
          .slice(0, 300)}`,
      );
    }
  }
}
for (const f of retried) console.log(`RETRIED ${f}`);
for (const f of failures) console.log(`FAILED ${f}`);
console.log(`tests: ${passed} passed${retried.length ? ` (${retried.length} after a retry)` : ''}, ${failed} failed, ${skipped} skipped`);
