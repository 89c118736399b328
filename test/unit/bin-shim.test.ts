// bin/berth.js in a checkout with no build: one line saying what to run, exit 1 (not a stack trace).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('bin/berth.js', () => {
  it('without dist/bundle says in one line to run the build, and exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-nobuild-'));
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(import.meta.dirname, '../../bin/berth.js'), join(dir, 'bin/berth.js'));
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      const r = spawnSync(process.execPath, [join(dir, 'bin/berth.js'), '--version'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('berth: no build in dist/bundle/ (in a checkout of berth, run: npm run build)\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
