import { afterAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { berth, BERTH_BIN, docker, removeContainer, runContainer, testLabels, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const toNs = (ts: string) => BigInt(Date.parse(ts.slice(0, 19) + 'Z')) * 1_000_000n + BigInt(ts.slice(20, 29));

describe('berth events', () => {
  it('prints create/start/die/destroy within a second, matching docker events exactly', async () => {
    const since = nowNs() - 1_000_000_000n;
    const child = execa('node', [BERTH_BIN, 'events', '--json', '--filter', 'type=container', '--filter', 'type=network'], { reject: false });
    const out = new LineCollector(child.stdout!);
    await subscribed(out);
    const name = uniqueName('ev');
    const c = await runContainer({ name, cmd: 'echo hi' });
    made.push(name);
    await c.wait();
    await c.remove();
    await out.until((ls) => ls.some((l) => l.line.includes('"destroy"') && l.line.includes(c.id)));
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);
    expect(res.stderr).toBe('');

    const mine = out.lines.map((l) => ({ rec: JSON.parse(l.line), at: l.at })).filter((x) => x.rec.id === c.id);
    const actions = mine.map((x) => x.rec.action);
    for (const a of ['create', 'start', 'die', 'destroy']) expect(actions).toContain(a);
    for (const x of mine) {
      expect(x.rec).toMatchObject({ type: 'event', scope: 'container', name });
      const lagMs = x.at - Number(toNs(x.rec.ts) / 1_000_000n);
      expect(lagMs).toBeLessThan(1000);
    }

    const until = nowNs();
    const d = await execa('docker', ['events', '--since', nsArg(since), '--until', nsArg(until), '--filter', `container=${c.id}`, '--format', '{{json .}}']);
    // timeNano has 19 digits: read it from the text, a JS number would round it.
    const theirs = d.stdout
      .trim()
      .split('\n')
      .map((l) => ({ ...JSON.parse(l), timeNano: /"timeNano":(\d+)/.exec(l)![1] }));
    const b = await berth(['events', '--json', '--since', nsArg(since), '--until', nsArg(until), '--filter', `container=${c.id}`]);
    expect(b.exitCode).toBe(0);
    const ours = b.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(ours.map((r) => [r.id, r.action, toNs(r.ts).toString()])).toEqual(theirs.map((e) => [e.Actor.ID, e.Action, String(e.timeNano)]));
    // The follow-mode stream saw the same events as the bounded query.
    expect(mine.map((x) => x.rec.action)).toEqual(ours.filter((r) => r.scope === 'container').map((r) => r.action));
  });

  it('ends quietly with exit 0 when the reader closes the pipe (| head -1)', async () => {
    // an event within the last hour, so the first line comes from the replay
    const c = await runContainer({ cmd: 'true', name: uniqueName('pipe') });
    made.push(c.id);
    await c.wait();
    const res = await execa('bash', ['-o', 'pipefail', '-c', `node ${BERTH_BIN} events --since 1h --filter type=container | head -1`], { reject: false, timeout: 30_000 });
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toBe('');
    expect(res.stdout.split('\n')).toHaveLength(1);
    expect(JSON.parse(res.stdout).type).toBe('event');
  });

  it('with no engine reachable: one line with a hint, exit 3', async () => {
    const res = await berth(['events'], { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(res.exitCode).toBe(3);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trim().split('\n');
    expect(lines[0]).toMatch(/^berth: cannot connect to the Docker engine at unix:\/\/\/nonexistent\/docker.sock: /);
    expect(lines[1]).toMatch(/^hint: is the Docker engine running\? set DOCKER_HOST or --host/);
    expect(lines).toHaveLength(2);
  });

  it('rejects a bad flag value naming the flag (exit 2)', async () => {
    const res = await berth(['events', '--since', 'yesterday']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim()).toMatch(/^berth: --since: expected a duration/);
  });

  it('prints docker-style lines with --format table', async () => {
    const name = uniqueName('tbl');
    const since = nowNs();
    const c = await runContainer({ name, cmd: 'true' });
    made.push(name);
    await c.wait();
    const res = await berth(['events', '--format', 'table', '--since', nsArg(since), '--until', nsArg(nowNs()), '--filter', `container=${c.id}`]);
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]{18}Z container create ${c.id} \\(.*name=${name}`, 'm'));
  });

  it('stops at --until in the future', async () => {
    const t0 = Date.now();
    const res = await berth(['events', '--until', String((Date.now() + 1500) / 1000)]);
    expect(res.exitCode).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
  });
});

/** Waits until berth demonstrably receives events: makes throwaway networks until one shows up. */
async function subscribed(out: LineCollector): Promise<void> {
  const prefix = uniqueName('evnet');
  let i = 0;
  await waitFor(
    async () => {
      const net = await docker.createNetwork({ Name: `${prefix}-${i++}`, Labels: testLabels() });
      await net.remove();
      return out.lines.some((l) => l.line.includes(prefix));
    },
    30_000,
    300,
  );
}

function nsArg(ns: bigint): string {
  return `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
}
