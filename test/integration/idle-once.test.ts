import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, docker, removeContainer, waitFor } from '../helpers/docker.js';
import { start, state, waitWouldStop } from './idle-helpers.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

const fast = { 'berth.idle.timeout': '3s', 'berth.idle.stop_timeout': '1s' };
describe('berth watch-idle --once', () => {
  it("a second run, once the first run's containers are idle for their timeout, stops them, keeping the state in --state; --config manages one without labels", async () => {
    const c = await start(made, 'once', { cmd: 'exec sleep 600', labels: fast });
    const f = await start(made, 'once-file', { cmd: 'exec sleep 600' });
    const t = await start(made, 'once-flag', { cmd: 'exec sleep 600', labels: { 'berth.idle.stop_method': 'pause' } });
    const id = (await docker.getContainer(c).inspect()).Id;
    const dir = mkdtempSync(join(tmpdir(), 'berth-once-'));
    const path = join(dir, 'sub', 'state.json');
    const config = join(dir, 'idle.yml');
    writeFileSync(config, `containers:\n  ${f}:\n    idle:\n      timeout: 3s\n      stop_method: kill\n`);
    const args = ['watch-idle', '--once', '--json', '--state', path, '--config', config, '--idle-timeout', '3s', c, f, t];
    const first = await berth(args);
    expect([first.exitCode, first.stdout, first.stderr]).toEqual([0, '', '']);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.version).toBe(1);
    expect(saved.containers[id]).toMatchObject({ name: c, lastActivity: expect.any(Number), last: { bytes: expect.any(Number) } });
    await waitWouldStop(args, path, [c, f, t]);
    const second = await berth(args);
    expect(second.exitCode, second.stderr).toBe(0);
    const recs = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const of = (n: string) => recs.filter((r) => r.container === n);
    expect(recs).toHaveLength(3);
    expect(of(f)).toMatchObject([{ action: 'kill', to: 'napping' }]); // from the --config file
    expect(of(t)).toMatchObject([{ action: 'pause', to: 'napping' }]); // from --timeout
    expect((await state(f)).Running).toBe(false);
    expect((await state(t)).Paused).toBe(true);
    expect(of(c)[0]).toMatchObject({
      type: 'idle',
      container: c,
      id,
      action: 'stop',
      to: 'napping',
      reason: expect.stringMatching(/^idle for [\d.]+s \(network <= 512 B per reading, no open connections, timeout 3s\)$/),
    });
    expect((await state(c)).Running).toBe(false);
    // asleep now: not in the state any more, so a later start begins a fresh idle clock
    expect(JSON.parse(readFileSync(path, 'utf8')).containers[id]).toBeUndefined();
  });

  it('with --dry-run says what it would stop and stops nothing; the state goes under $XDG_STATE_HOME/berth by default', async () => {
    const c = await start(made, 'dry', { cmd: 'exec sleep 600', labels: fast });
    const xdg = mkdtempSync(join(tmpdir(), 'berth-xdg-'));
    const env = { XDG_STATE_HOME: xdg };
    expect((await berth(['watch-idle', '--once', '--dry-run', c], { env })).exitCode).toBe(0);
    expect(existsSync(join(xdg, 'berth', 'watch-idle.json'))).toBe(true);
    // the next dry runs say would_stop once c has been idle for its timeout (each run keeps the state)
    const res = await waitFor(
      async () => {
        const r = await berth(['watch-idle', '--once', '--dry-run', '--json', c], { env });
        return r.exitCode === 0 && r.stdout.includes('"would_stop"') && r;
      },
      30_000,
      250,
    );
    expect(JSON.parse(res.stdout)).toMatchObject({ container: c, action: 'would_stop', from: 'ready', to: 'napping', reason: expect.stringMatching(/; dry run: would stop$/) });
    expect((await state(c)).Running).toBe(true);
    const table = await berth(['watch-idle', '--once', '--dry-run', '--format', 'table', c], { env: { ...env, NO_COLOR: '1' } });
    expect(table.stdout).toMatch(
      new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${c} ready → napping \\[would_stop\\] idle for [\\d.]+s \\(network <= 512 B per reading, no open connections, timeout 3s\\); dry run: would stop$`),
    );
  });

  it('rejects a corrupt state file and a bad flag, naming them (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-bad-'));
    const path = join(dir, 'state.json');
    writeFileSync(path, '{not json');
    const res = await berth(['watch-idle', '--once', '--state', path]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.split('\n')[0]).toMatch(new RegExp(`^berth: --state: ${path} is not a berth state file: `));
    const c = await start(made, 'badcfg', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': 'soon' } });
    const warned = await berth(['watch-idle', '--once', '--state', join(dir, 'ok.json'), c]);
    expect([warned.exitCode, warned.stdout]).toEqual([0, '']);
    expect(warned.stderr.trim()).toBe(`berth: container ${c}: label berth.idle.timeout: expected a duration like 30s, 15m, 1h (0 = never) (got: "soon"); ${c} is not managed until this is fixed`);
    const bad = await berth(['watch-idle', '--interval', 'often']);
    expect([bad.exitCode, bad.stderr.trim()]).toEqual([2, 'berth: --interval: expected a duration like 10s, 5m, 1h30m (got: "often")']);
  });
});
