#!/usr/bin/env node
// Prints one closing line over vitest's JSON reports: "tests: N passed, N failed, N skipped".
// A test file that failed to load (no test ran) counts as one failure.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  for (const t of r.testResults ?? []) {
    if (t.status === 'failed' && !(t.assertionResults ?? []).some((a) => a.status === 'failed')) failed++;
  }
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
