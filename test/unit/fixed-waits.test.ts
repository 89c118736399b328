// scripts/count-fixed-waits.mjs: which pauses of test code it counts (docs/testing.md, "Waiting in tests"),
// and the suites that must have none.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

interface Counted {
  suites: Record<string, number>;
  waits: Array<{ file: string; line: number; text: string }>;
}

const count = (...dirs: string[]): Counted => JSON.parse(execFileSync('node', [join(ROOT, 'scripts/count-fixed-waits.mjs'), '--json', ...dirs], { cwd: ROOT, encoding: 'utf8' })) as Counted;

/** Suites with no fixed wait left. */
const NONE_LEFT = ['integration', 'helpers', 'swarm', 'disruptive'];

// The counter loads the TypeScript compiler and reads every file: seconds on a loaded machine.
describe('count-fixed-waits', { timeout: 120_000 }, () => {
  it.each(NONE_LEFT)('finds no fixed wait in test/%s', (suite) => {
    const { suites, waits } = count(`test/${suite}`);
    expect(waits.map((w) => `${w.file}:${w.line}  ${w.text}`)).toEqual([]);
    expect(suites[suite]).toBe(0);
  });

  it('counts pauses, delayed actions and sleep run by the test; not bounds, bounded polls or the workload', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-waits-'));
    try {
      const lines = [
        /* 1 */ "import { setTimeout as pause } from 'node:timers/promises';",
        /* 2 */ 'const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));',
        /* 3 */ 'await new Promise((r) => setTimeout(r, 500));',
        /* 4 */ 'await sleep(1000);',
        /* 5 */ 'await pause(200);',
        /* 6 */ 'setTimeout(() => void start(), 1500);',
        /* 7 */ "await execa('sleep', ['2']);",
        /* 8 */ 'await new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms));',
        /* 9 */ 'setTimeout(() => (s.destroy(), ac.abort()), 5000);',
        /* 10 */ 'while (Date.now() < end && !done()) await sleep(100);',
        /* 11 */ 'await waitFor(async () => (await sleep(50), ready()));',
        /* 12 */ "await runContainer({ cmd: 'sleep 2 && exec httpd -f; sleep 3600' });",
        /* 13 */ 'const fake = { wake: async () => { await sleep(300); } };',
        /* 14 */ 'await Promise.race([child, new Promise((r) => setTimeout(r, 10_000))]);',
        /* 15 */ 'while (going) await sleep(500);',
      ];
      writeFileSync(join(dir, 'case.test.ts'), lines.join('\n') + '\n');
      expect(count(dir).waits.map((w) => w.line)).toEqual([3, 4, 5, 6, 7, 14, 15]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
