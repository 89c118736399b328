/**
 * events on Podman, with `podman events` as the oracle. Podman names a removal `remove` and a death
 * `died` (its CLI) or `die` (its compat API); berth's records carry docker's names (`destroy`, `die`),
 * and its `event` filters use docker's names too (engine/podman.ts maps them to Podman's).
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { berthOnPodman, podman, records, runOnPodman, waitFor } from '../helpers/podman.js';

const DOCKER_NAME: Record<string, string> = { died: 'die', remove: 'destroy' };
/** Podman's CLI drops trailing zeros of the fraction; berth's `ts` keeps nine digits. */
const nine = (ts: string) => ts.replace(/(\.\d+)?Z$/, (_, f: string | undefined) => `.${((f ?? '.').slice(1) + '000000000').slice(0, 9)}Z`);

/** `podman run --rm -d` returns before the removal: waits until the burst's containers are all gone. */
const gone = (burst: string) => waitFor(async () => !(await podman(['ps', '-aq', '--filter', `label=berth.test.burst=${burst}`])).stdout.trim(), 30_000, 200);

describe('events on Podman', () => {
  it("equal podman events for a burst of containers, with Podman's action names mapped to docker's", async () => {
    const burst = randomBytes(4).toString('hex');
    const since = Math.floor(Date.now() / 1000);
    const names = await Promise.all(Array.from({ length: 6 }, (_, i) => runOnPodman('echo hi', { name: `berth-test-pmev-${burst}-${i}`, labels: { 'berth.test.burst': burst }, args: ['--rm'] })));
    await gone(burst);
    // Both read the same window from Podman's event log; it must end in the future (Podman sends nothing for a past one).
    const until = Math.ceil(Date.now() / 1000) + 2;
    const window = ['--since', String(since), '--until', String(until), '--filter', `label=berth.test.burst=${burst}`];
    const oracle = podman(['events', ...window, '--format', 'json'], { timeout: 30_000 });
    const ours = berthOnPodman(['events', ...window, '--format', 'json'], { timeout: 30_000 });
    const [o, b] = await Promise.all([oracle, ours]);
    expect(b.exitCode, b.stderr).toBe(0);
    expect(o.exitCode, o.stderr).toBe(0);
    const fromPodman = records<{ Name: string; Status: string; Time: string }>(o.stdout)
      .map((e) => `${e.Name} ${DOCKER_NAME[e.Status] ?? e.Status} ${nine(e.Time)}`)
      .sort();
    const fromBerth = records<{ name: string; action: string; ts: string; scope: string }>(b.stdout)
      .filter((e) => e.scope === 'container')
      .map((e) => `${e.name} ${e.action} ${e.ts}`)
      .sort();
    // Each container: create, init, start, attach?, die, destroy: at least 5 events, the same on both sides.
    expect(fromPodman.length).toBeGreaterThanOrEqual(names.length * 5);
    expect(fromBerth).toEqual(fromPodman);
    for (const n of names) expect(fromBerth.filter((l) => l.startsWith(`${n} destroy `))).toHaveLength(1);
    console.error(`events on Podman: ${fromBerth.length} events compared for ${names.length} containers`);
  });

  it("filters on docker's names die and destroy, and a window whose end has passed still gives its events", async () => {
    const burst = randomBytes(4).toString('hex');
    const since = Math.floor(Date.now() / 1000);
    const names = await Promise.all(Array.from({ length: 3 }, (_, i) => runOnPodman('true', { name: `berth-test-pmf-${burst}-${i}`, labels: { 'berth.test.burst': burst }, args: ['--rm'] })));
    await gone(burst);
    // Podman writes a removal's event after the container has left its list: the window ends once Podman's
    // own log holds the three removals, so it is past (and holds every event of the burst) when berth runs.
    const logged = async () =>
      (await podman(['events', '--stream=false', '--since', String(since), '--filter', `label=berth.test.burst=${burst}`, '--filter', 'event=remove', '--format', 'json'])).stdout;
    await waitFor(async () => records(await logged()).length === 3, 30_000, 200);
    const until = (Date.now() / 1000).toFixed(3);
    const b = await berthOnPodman([
      'events',
      '--since',
      String(since),
      '--until',
      String(until),
      '--filter',
      `label=berth.test.burst=${burst}`,
      '--filter',
      'event=die',
      '--filter',
      'event=destroy',
      '--format',
      'json',
    ]);
    expect(b.exitCode, b.stderr).toBe(0);
    const got = records<{ name: string; action: string }>(b.stdout).map((e) => `${e.name} ${e.action}`);
    expect(got.sort()).toEqual(names.flatMap((n) => [`${n} destroy`, `${n} die`]).sort());
  });
});
