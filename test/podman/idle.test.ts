/**
 * watch-idle and wake on Podman, a basic cycle: an idle container is stopped by `watch-idle --once` run
 * twice past its idle timeout, and `wake` starts it again; Podman's own inspect is the oracle.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berthOnPodman, podman, records, removeOnPodman, runOnPodman } from '../helpers/podman.js';

const running = async (name: string) => (await podman(['inspect', '--format', '{{.State.Running}}', name])).stdout.trim();

describe('watch-idle and wake on Podman', () => {
  it('stops an idle container (watch-idle --once twice, 4 s apart) and wakes it again', async () => {
    // --network none: on Podman's bridge, IPv6 is on in containers (docker turns it off), so other tests'
    // containers joining the bridge send this one multicast bytes that count as activity (docs/podman.md).
    const name = await runOnPodman('exec sleep 600', { labels: { 'berth.idle.timeout': '3s', 'berth.idle.stop_timeout': '1s' }, args: ['--network', 'none'] });
    const state = join(mkdtempSync(join(tmpdir(), 'berth-pm-idle-')), 'state.json');
    const args = ['watch-idle', '--once', '--json', '--state', state, name];
    const first = await berthOnPodman(args);
    expect([first.exitCode, first.stdout, first.stderr]).toEqual([0, '', '']);
    await new Promise((r) => setTimeout(r, 4000)); // past the idle timeout
    const second = await berthOnPodman(args);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(records(second.stdout)).toMatchObject([{ type: 'idle', container: name, action: 'stop', to: 'napping' }]);
    expect(await running(name)).toBe('false');
    const woke = await berthOnPodman(['wake', name]);
    expect(woke.exitCode, woke.stderr).toBe(0);
    expect(records<{ event: string }>(woke.stdout).map((e) => e.event)).toContain('ready');
    expect(await running(name)).toBe('true');
    await removeOnPodman(name);
  });
});
