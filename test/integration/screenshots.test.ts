/**
 * scripts/screenshots.mjs (npm run screenshots) still runs: into a temp dir, under a project name of
 * its own, it writes the four pictures as real PNGs of a plausible size, and removes what it started.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ROOT, uniqueName } from '../helpers/docker.js';
import { requireTool } from '../helpers/tools.js';

const out = mkdtempSync(join(tmpdir(), 'berth-pictures-'));
const project = uniqueName('pictures');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  // only when the script failed to clean up after itself
  await execa('bash', [join(ROOT, 'scripts/demo.sh'), 'stop'], { env: { BERTH_DEMO_PROJECT: project }, reject: false });
});

/** Width and height from a PNG's IHDR chunk. */
const size = (png: Buffer) => ({ width: png.readUInt32BE(16), height: png.readUInt32BE(20) });

describe('npm run screenshots', () => {
  it('writes stats, topology, loading and overview as PNGs under 300 KB, and leaves no container, network or tmux session behind', async () => {
    requireTool('tmux');
    requireTool('/usr/bin/chromium');
    const run = await execa('node', [join(ROOT, 'scripts/screenshots.mjs'), out], { env: { BERTH_PICTURES_PROJECT: project }, reject: false, timeout: 90_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    for (const name of ['stats', 'topology', 'loading', 'overview']) {
      const png = readFileSync(join(out, `${name}.png`));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), name).toBe(true);
      expect(png.subarray(12, 16).toString('latin1'), name).toBe('IHDR');
      expect(png.length, name).toBeGreaterThan(5_000);
      expect(png.length, name).toBeLessThan(300_000);
      const { width, height } = size(png);
      expect(width, name).toBeGreaterThan(300);
      expect(height, name).toBeGreaterThan(100);
    }
    // the overview holds the other three: wider than the stats picture alone, taller than stats and topology
    const overview = size(readFileSync(join(out, 'overview.png')));
    const stats = size(readFileSync(join(out, 'stats.png')));
    const topology = size(readFileSync(join(out, 'topology.png')));
    expect(overview.width).toBeGreaterThanOrEqual(stats.width);
    expect(overview.height).toBeGreaterThan(stats.height + topology.height);
    // cleaned up: the project's containers and network, the route container, the tmux sessions
    const left = await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);
    expect(left.stdout).toBe('');
    const net = await execa('docker', ['network', 'inspect', project], { reject: false });
    expect(net.exitCode).not.toBe(0);
    const tag = /berth-pictures-stats-([0-9a-f]+)/.exec(run.stderr)?.[1];
    expect(tag, run.stderr).toBeDefined();
    const route = await execa('docker', ['ps', '-aq', '--filter', `label=berth.pictures=${tag}`]);
    expect(route.stdout).toBe('');
    const sessions = await execa('tmux', ['list-sessions', '-F', '#{session_name}'], { reject: false });
    expect(sessions.stdout).not.toContain(tag!);
  }, 120_000);
});
