/**
 * logs on Podman, with `podman logs` as the oracle. Podman's compat API stamps log lines to the second
 * (…T10:00:01.000000000Z), so lines of several containers tie often; berth orders ties by container
 * name, one container's lines in the engine's order (logs/line.ts `lineOrder`), the same in every run.
 */
import { describe, expect, it } from 'vitest';
import { berthOnPodman, podman, records, removeOnPodman, runOnPodman, waitFor } from '../helpers/podman.js';
import { randomBytes } from 'node:crypto';

interface Rec {
  ts: string;
  name: string;
  stream: string;
  msg: string;
}

const exited = async (name: string) => waitFor(async () => (await podman(['inspect', '--format', '{{.State.Status}}', name])).stdout.trim() === 'exited', 30_000);

describe('logs on Podman', () => {
  it('equal podman logs line for line, stdout and stderr', async () => {
    const n = 400;
    const name = await runOnPodman(`i=0; while [ $i -lt ${n} ]; do echo "out $i a line with  spaces"; echo "err $i" >&2; i=$((i+1)); done; printf 'no newline at the end'`);
    await exited(name);
    const oracle = await podman(['logs', name], { stripFinalNewline: false });
    const ours = await berthOnPodman(['logs', name, '--format', 'json']);
    expect(ours.exitCode, ours.stderr).toBe(0);
    const recs = records<Rec>(ours.stdout);
    const lines = (text: string) => text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
    expect(recs.filter((r) => r.stream === 'stdout').map((r) => r.msg)).toEqual(lines(String(oracle.stdout)));
    expect(recs.filter((r) => r.stream === 'stderr').map((r) => r.msg)).toEqual(lines(String(oracle.stderr)));
    expect(recs).toHaveLength(2 * n + 1);
    // raw: the same text
    const raw = await berthOnPodman(['logs', name, '--format', 'raw'], { stripFinalNewline: false });
    expect(
      String(raw.stdout)
        .split('\n')
        .filter((l) => l.startsWith('out ')).length,
    ).toBe(n);
    console.error(`logs on Podman: ${recs.length} lines compared with podman logs`);
    await removeOnPodman(name);
  });

  it('orders lines of several containers with one-second stamps by time, then container name, the same in every run', async () => {
    const tag = randomBytes(3).toString('hex');
    // Three containers, each writing a line every 0.3 s for 3 s: many lines share a second across them.
    const names = await Promise.all(['c', 'a', 'b'].map((x) => runOnPodman(`i=0; while [ $i -lt 10 ]; do echo "$HOSTNAME-$i"; i=$((i+1)); sleep 0.3; done`, { name: `berth-test-pmlog-${tag}-${x}` })));
    await Promise.all(names.map(exited));
    const run = async () => {
      const r = await berthOnPodman(['logs', ...names, '--format', 'json']);
      expect(r.exitCode, r.stderr).toBe(0);
      return records<Rec>(r.stdout);
    };
    const first = await run();
    expect(first).toHaveLength(30);
    expect(first.every((r) => r.ts.endsWith('.000000000Z'))).toBe(true); // whole seconds: the reason for the rule
    // The oracle: each container's own lines and stamps from podman logs -t, merged by (time, name), stable.
    const expected: string[] = [];
    const per = await Promise.all(
      names.map(async (name) => {
        const r = await podman(['logs', '-t', name]);
        return String(r.stdout)
          .trim()
          .split('\n')
          .map((l, i) => ({ ts: Date.parse(l.slice(0, l.indexOf(' '))), name, msg: l.slice(l.indexOf(' ') + 1), i }));
      }),
    );
    for (const l of per.flat().sort((x, y) => x.ts - y.ts || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0) || x.i - y.i)) expected.push(`${l.name} ${l.msg}`);
    expect(first.map((r) => `${r.name} ${r.msg}`)).toEqual(expected);
    // ties happened: some second holds lines of more than one container
    const bySecond = new Map<string, Set<string>>();
    for (const r of first) bySecond.set(r.ts, (bySecond.get(r.ts) ?? new Set()).add(r.name));
    expect([...bySecond.values()].some((s) => s.size > 1)).toBe(true);
    // deterministic: the selection named in another order gives the same output
    const again = await berthOnPodman(['logs', ...[...names].reverse(), '--format', 'json']);
    expect(records<Rec>(again.stdout)).toEqual(first);
    await removeOnPodman(...names);
  });
});

describe('logs --follow on Podman', () => {
  it('says a followed container was removed and ends (Podman names the removal differently, and its event filter too)', async () => {
    const name = await runOnPodman('echo started; exec sleep 600');
    const follow = berthOnPodman(['logs', '-f', name, '--format', 'raw'], { timeout: 40_000 });
    let seen = '';
    follow.stdout?.on('data', (d: Buffer) => (seen += d.toString()));
    await waitFor(() => seen.includes('started'), 20_000);
    await removeOnPodman(name);
    const r = await follow;
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain(`berth: container ${name} (`);
    expect(r.stderr).toContain('was removed; its logs end here');
  });
});
