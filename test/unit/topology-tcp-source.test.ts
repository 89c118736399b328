import { afterAll, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTcpOpens } from '../../src/core/proc-net.js';
import { newConnections } from '../../src/core/topology/tcp-source.js';
import type { RunningMember } from '../../src/core/topology/members.js';
import type { Target } from '../../src/core/engine/select.js';

const HEAD = 'Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors';
const snmp = (active: number, passive: number) => `Ip: Forwarding\nIp: 1\n${HEAD}\nTcp: 1 200 120000 -1 ${active} ${passive} 0 0 0 15156 8950 0 0 9 0\nUdp: InDatagrams\nUdp: 0\n`;
const TABLE_HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
// api 10.0.0.1 (0100000A), redis 10.0.0.2 (0200000A) listening on 6379 (18EB)
const row = (i: number, local: string, remote: string, st: string) => `   ${i}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 1 1 0\n`;

const root = mkdtempSync(join(tmpdir(), 'berth-proc-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function proc(pid: number, files: { snmp: string; tcp: string }) {
  mkdirSync(join(root, String(pid), 'net'), { recursive: true });
  writeFileSync(join(root, String(pid), 'net', 'snmp'), files.snmp);
  writeFileSync(join(root, String(pid), 'net', 'tcp'), TABLE_HEAD + files.tcp);
}

const member = (node: string, pid: number): RunningMember => ({ target: { id: `${node}-id`, name: node } as Target, node, pid, ips: [], fresh: false, sinceMs: 0 });

describe('topology TCP source', () => {
  it('reads ActiveOpens + PassiveOpens from net/snmp', () => {
    expect(parseTcpOpens(snmp(7, 3934))).toBe(3941);
    expect(parseTcpOpens('Ip: 1\n')).toBeUndefined();
  });

  it('reads the socket tables only when the open counter moved, and counts each new connection once', async () => {
    const owners: Record<string, string> = { '10.0.0.1': 'api', '10.0.0.2': 'redis' };
    proc(101, { snmp: snmp(0, 0), tcp: '' });
    proc(102, { snmp: snmp(0, 0), tcp: row(0, '00000000:18EB', '00000000:0000', '0A') });
    const ac = new AbortController();
    // Each poll begins by listing the members: "n more polls" is counted there, not timed.
    let polls = 0;
    const members = () => (polls++, [member('api', 101), member('redis', 102)]);
    const morePolls = async (n: number) => {
      const target = polls + n;
      await vi.waitFor(() => expect(polls).toBeGreaterThanOrEqual(target), { timeout: 5000, interval: 2 });
    };
    const src = newConnections({ members, ownerOf: (ip) => owners[ip], pollMs: 5, procRoot: root, warn: () => {} }, ac.signal);
    const it = src[Symbol.asyncIterator]();
    let resolved = false;
    const next = it.next().finally(() => (resolved = true));
    await morePolls(3); // baseline polls, nothing new
    // a connection appears in the table, but the counter did not move: the cached table stands
    proc(101, { snmp: snmp(0, 0), tcp: row(0, '0100000A:9C40', '0200000A:18EB', '01') });
    await morePolls(3); // two whole polls after it
    expect(resolved).toBe(false);
    // now the kernel's counter says a connection was opened: the table is read and the connection counted
    proc(101, { snmp: snmp(1, 0), tcp: row(0, '0100000A:9C40', '0200000A:18EB', '01') });
    expect((await next).value).toEqual([{ from: 'api', to: 'redis' }]);
    // the server side sees the same connection later: not counted again
    proc(102, { snmp: snmp(0, 1), tcp: row(0, '00000000:18EB', '00000000:0000', '0A') + row(1, '0200000A:18EB', '0100000A:9C40', '06') });
    let answered = false;
    const again = it.next().finally(() => (answered = true));
    await morePolls(3);
    expect(answered).toBe(false);
    ac.abort();
    expect((await again).done).toBe(true);
  });

  it("turns itself off with one warning when a running member's process stays missing from /proc (another pid namespace)", async () => {
    const warnings: string[] = [];
    const ac = new AbortController();
    // pid 4242 exists only in the engine's pid namespace: never under this procRoot
    const src = newConnections({ members: () => [member('api', 4242)], ownerOf: () => undefined, pollMs: 5, procRoot: root, warn: (m) => warnings.push(m) }, ac.signal);
    const r = await src.next();
    expect(r.done).toBe(true);
    expect(warnings).toEqual([
      `TCP connections are not counted: the process of api (pid 4242, as the engine reports it) is not in ${root} here: berth runs in another pid namespace than the engine (a container, unshare -p) or on another host; run it beside the engine`,
    ]);
  });

  it('a member whose process is missing for a poll or two (it just stopped) is skipped, not a reason to stop counting', async () => {
    const warnings: string[] = [];
    const ac = new AbortController();
    let polls = 0;
    proc(301, { snmp: snmp(0, 0), tcp: '' });
    // the second member is listed for 3 polls with a pid /proc does not have, then goes away
    const members = () => (polls++ < 3 ? [member('api', 301), member('gone', 4343)] : [member('api', 301)]);
    const src = newConnections({ members, ownerOf: () => undefined, pollMs: 5, procRoot: root, warn: (m) => warnings.push(m) }, ac.signal);
    const next = src.next();
    // Well past the 3 polls with the missing pid it still polls: waited for by count, not for a time (a
    // loaded machine runs timers late).
    for (const deadline = Date.now() + 10_000; polls <= 10 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 5));
    expect(polls).toBeGreaterThan(10);
    expect(warnings).toEqual([]);
    ac.abort();
    expect((await next).done).toBe(true);
  });

  it('turns itself off with one warning when /proc cannot be read', async () => {
    const warnings: string[] = [];
    mkdirSync(join(root, '103', 'net'), { recursive: true });
    writeFileSync(join(root, '103', 'net', 'snmp'), snmp(0, 0));
    mkdirSync(join(root, '103', 'net', 'tcp')); // a directory where a file should be: EISDIR
    const got = [];
    for await (const b of newConnections({ members: () => [member('api', 103)], ownerOf: () => undefined, pollMs: 5, procRoot: root, warn: (m) => warnings.push(m) }, new AbortController().signal))
      got.push(b);
    expect(got).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^TCP connections are not counted: cannot read .*\/<pid>\/net\/tcp \(EISDIR/);
  });
});
