// The package a user installs: scripts/package-check.sh packs the build, installs the tarball with
// `npm install -g` into a temporary prefix and runs it from an empty folder (--version, --help,
// completion bash, man berth, systemd-analyze verify on the shipped units). No engine is needed.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/docker.js';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('the npm package', () => {
  it('installs globally from `npm pack` and works without the source tree', async () => {
    const r = await execa('bash', [join(ROOT, 'scripts', 'package-check.sh'), '--no-build'], { reject: false, timeout: 300_000 });
    expect(r.stderr).not.toMatch(/FAILED|skipped/);
    expect(r.exitCode).toBe(0);
    const steps = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('package-check: ok: '))
      .map((l) => l.slice('package-check: ok: '.length).replace(/( into |: ).*$/, ''));
    expect(steps).toEqual(['npm pack', 'npm install -g', 'berth --version', 'berth --help', 'berth completion bash', 'man berth', 'systemd-analyze verify']);
    expect(r.stdout).toContain(`package-check: ok: berth --version: ${version}\n`);
  }, 320_000);
});
