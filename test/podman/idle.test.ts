/**
 * watch-idle and wake on Podman, a basic cycle: an idle container is stopped by `watch-idle --once` run
 * twice past its idle timeout, and `wake` starts it again; Podman's own inspect is the oracle.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { BERTH_BIN } from '../helpers/docker.js';
import { berthOnPodman, podman, podmanHost, records, removeOnPodman, runOnPodman, uniqueName, waitFor } from '../helpers/podman.js';

const running = async (name: string) => (await podman(['inspect', '--format', '{{.State.Running}}', name])).stdout.trim();

describe('watch-idle and wake on Podman', () => {
  it('stops an idle container (watch-idle --once, run again until a run stops it) and wakes it again', async () => {
    // --network none: on Podman's bridge, IPv6 is on in containers (docker turns it off), so other tests'
    // containers joining the bridge send this one multicast bytes that count as activity (docs/podman.md).
    const name = await runOnPodman('exec sleep 600', { labels: { 'berth.idle.timeout': '3s', 'berth.idle.stop_timeout': '1s' }, args: ['--network', 'none'] });
    const state = join(mkdtempSync(join(tmpdir(), 'berth-pm-idle-')), 'state.json');
    const args = ['watch-idle', '--once', '--json', '--state', state, name];
    const first = await berthOnPodman(args);
    expect([first.exitCode, first.stdout, first.stderr]).toEqual([0, '', '']);
    // Past its 3 s idle timeout, a run says what it did: the first that prints anything.
    const said = await waitFor(
      async () => {
        const r = await berthOnPodman(args);
        return r.exitCode !== 0 || r.stdout !== '' || r.stderr !== '' ? r : undefined;
      },
      30_000,
      250,
    );
    expect(said.exitCode, said.stderr).toBe(0);
    expect(records(said.stdout)).toMatchObject([{ type: 'idle', container: name, action: 'stop', to: 'napping' }]);
    expect(await running(name)).toBe('false');
    const woke = await berthOnPodman(['wake', name]);
    expect(woke.exitCode, woke.stderr).toBe(0);
    expect(records<{ event: string }>(woke.stdout).map((e) => e.event)).toContain('ready');
    expect(await running(name)).toBe('true');
    await removeOnPodman(name);
  });

  it("keeps a dependency up until its dependent has exited, through the dependent's stop timeout (Podman lists it as stopping)", async () => {
    // app's PID 1 (sh without a trap) ignores SIGTERM: Podman kills it after its 4 s stop timeout, and lists
    // it as `stopping` (docker: `running`) meanwhile. db must outlive app by its own timeout.
    const none = ['--network', 'none'];
    const db = await runOnPodman('exec sleep 600', { name: uniqueName('pmdep-db'), labels: { 'berth.idle.timeout': '1s', 'berth.idle.stop_timeout': '1s' }, args: none });
    const app = await runOnPodman('while :; do sleep 1; done', {
      name: uniqueName('pmdep-app'),
      labels: { 'berth.idle.timeout': '2s', 'berth.idle.stop_timeout': '4s', 'berth.idle.depends_on': db },
      args: none,
    });
    const watch = execa('node', [BERTH_BIN, '--host', podmanHost(), 'watch-idle', '--json', '--interval', '500ms', app, db], {
      reject: false,
      env: { DOCKER_HOST: '', CONTAINER_HOST: '' },
    });
    try {
      const inspect = async (name: string) => (await podman(['inspect', '--format', '{{.State.Status}} {{.State.FinishedAt}}', name])).stdout.trim().split(' ');
      await waitFor(async () => (await inspect(db))[0] === 'exited' && (await inspect(app))[0] === 'exited', 40_000, 250);
      const [appEnd, dbEnd] = [Date.parse((await inspect(app)).slice(1, 3).join('T') + 'Z'), Date.parse((await inspect(db)).slice(1, 3).join('T') + 'Z')];
      expect(dbEnd - appEnd, `app exited at ${new Date(appEnd).toISOString()}, db at ${new Date(dbEnd).toISOString()}`).toBeGreaterThanOrEqual(1000);
    } finally {
      watch.kill('SIGINT');
      await watch;
      await removeOnPodman(app, db);
    }
  });
});
