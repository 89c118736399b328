/**
 * The README's runnable examples, run as written: every line of a ```sh block
 * that follows a `<!-- runnable ... -->` marker, through bash with `berth` on
 * PATH, against the demo project (scripts/demo.sh start, under a project name
 * of this run's own, put in place of `berth-demo`). Each must exit 0 and print
 * something; a pipe fails if any of its commands does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BERTH_BIN, ROOT, uniqueName, waitFor } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';

const project = uniqueName('readme');
const shim = mkdtempSync(join(tmpdir(), 'berth-readme-'));
const demo = (action: 'start' | 'stop') => execa('bash', ['scripts/demo.sh', action], { cwd: ROOT, env: { BERTH_DEMO_PROJECT: project }, reject: false, all: true });

/** The lines of the README's runnable blocks, comments after the command taken off. */
function runnableLines(readme: string): string[] {
  const out: string[] = [];
  for (const m of readme.matchAll(/<!-- runnable[^>]*-->\n```sh\n([\s\S]*?)```/g))
    for (const line of m[1]!.split('\n')) {
      const cmd = line.replace(/\s{2,}#\s.*$/, '').trim();
      if (cmd && !cmd.startsWith('#')) out.push(cmd);
    }
  return out;
}

const lines = runnableLines(readFileSync(join(ROOT, 'README.md'), 'utf8'));

beforeAll(async () => {
  requireTool('jq');
  writeFileSync(join(shim, 'berth'), `#!/bin/sh\nexec node ${JSON.stringify(BERTH_BIN)} "$@"\n`);
  chmodSync(join(shim, 'berth'), 0o755);
  const r = await demo('start');
  if (r.exitCode !== 0) throw new Error(`scripts/demo.sh start failed:\n${r.all}`);
  // The worker writes a WARN line every 7 jobs (about 7 s): the first example selects those.
  await waitFor(async () => (await execa('docker', ['logs', `${project}-worker-1`], { all: true })).all!.includes('[WARN]'), 60_000, 500);
}, 180_000);

afterAll(async () => {
  await demo('stop');
  rmSync(shim, { recursive: true, force: true });
});

describe("the README's runnable examples", () => {
  it('has some', () => {
    expect(lines.length).toBeGreaterThanOrEqual(4);
  });

  it.each(lines)('%s', async (line) => {
    const cmd = line.replaceAll('berth-demo', project);
    const r = await execa('bash', ['-o', 'pipefail', '-c', cmd], { env: { PATH: `${shim}:${process.env.PATH}` }, reject: false, timeout: 60_000 });
    expect(r.exitCode, `${cmd}\n${r.stderr}`).toBe(0);
    expect(r.stdout.trim().length, `${cmd} printed nothing\n${r.stderr}`).toBeGreaterThan(0);
  });
});
