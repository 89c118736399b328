import { describe, expect, it } from 'vitest';
import { EstablishedCounter, onNet, parseConntrackLine, RESOLVE_MS, type ConntrackEvent } from '../../src/core/topology/conntrack.js';

const line = (kind: string, state: string, src: string, dst: string, sport: number, dport: number) =>
  `    [${kind}] tcp      6 120 ${state} src=${src} dst=${dst} sport=${sport} dport=${dport} src=${dst} dst=${src} sport=${dport} dport=${sport} [ASSURED] mark=0`;

describe('conntrack event lines', () => {
  it('reads the kind, state and original 4-tuple', () => {
    expect(parseConntrackLine(line('NEW', 'SYN_SENT', '10.1.0.3', '10.1.0.2', 40112, 5432))).toEqual({ kind: 'NEW', state: 'SYN_SENT', src: '10.1.0.3', dst: '10.1.0.2', sport: 40112, dport: 5432 });
    expect(parseConntrackLine(line('UPDATE', 'ESTABLISHED', '10.1.0.3', '10.1.0.2', 40112, 5432))?.state).toBe('ESTABLISHED');
  });

  it('reads a DESTROY, which carries no state', () => {
    expect(parseConntrackLine('[DESTROY] tcp      6 src=10.1.0.3 dst=10.1.0.2 sport=40112 dport=5432 src=10.1.0.2 dst=10.1.0.3 sport=5432 dport=40112 [ASSURED]')).toEqual({
      kind: 'DESTROY',
      state: undefined,
      src: '10.1.0.3',
      dst: '10.1.0.2',
      sport: 40112,
      dport: 5432,
    });
  });

  it('ignores notices and other protocols', () => {
    expect(parseConntrackLine('NOTICE: Netlink socket buffer size has been set to 8388608 bytes.')).toBeUndefined();
    expect(parseConntrackLine('    [NEW] udp      17 30 src=10.1.0.3 dst=10.1.0.2 sport=5353 dport=53 [UNREPLIED]')).toBeUndefined();
  });
});

describe('counting connections at ESTABLISHED', () => {
  const owners: Record<string, string> = { '10.1.0.2': 'db', '10.1.0.3': 'app', '10.1.0.4': 'web' };
  const ownerOf = (ip: string) => owners[ip];
  const ev = (kind: ConntrackEvent['kind'], state: string | undefined, sport: number, src = '10.1.0.3', dst = '10.1.0.2', dport = 5432): ConntrackEvent => ({ kind, state, src, dst, sport, dport });

  it('counts a connection once, from client to server, however many updates follow', () => {
    const c = new EstablishedCounter();
    const got = [ev('NEW', 'SYN_SENT', 1), ev('UPDATE', 'SYN_RECV', 1), ev('UPDATE', 'ESTABLISHED', 1), ev('UPDATE', 'FIN_WAIT', 1), ev('UPDATE', 'CLOSE', 1), ev('DESTROY', undefined, 1)].map((e) =>
      c.feed(e, ownerOf),
    );
    expect(got.filter(Boolean)).toEqual([{ from: 'app', to: 'db' }]);
  });

  it('counts a connection that ends with a reset right after it was established', () => {
    const c = new EstablishedCounter();
    const got = [ev('NEW', 'SYN_SENT', 2), ev('UPDATE', 'ESTABLISHED', 2), ev('UPDATE', 'CLOSE', 2)].map((e) => c.feed(e, ownerOf));
    expect(got.filter(Boolean)).toEqual([{ from: 'app', to: 'db' }]);
  });

  it('does not count a refused connection (never established)', () => {
    const c = new EstablishedCounter();
    const got = [ev('NEW', 'SYN_SENT', 3), ev('UPDATE', 'CLOSE', 3), ev('DESTROY', undefined, 3)].map((e) => c.feed(e, ownerOf));
    expect(got.filter(Boolean)).toEqual([]);
  });

  it('counts a reused 4-tuple again after its DESTROY', () => {
    const c = new EstablishedCounter();
    const once = [ev('NEW', 'SYN_SENT', 4), ev('UPDATE', 'ESTABLISHED', 4), ev('DESTROY', undefined, 4)];
    const got = [...once, ...once].map((e) => c.feed(e, ownerOf));
    expect(got.filter(Boolean)).toHaveLength(2);
  });

  it('leaves out connections with an unknown end or within one node', () => {
    const c = new EstablishedCounter();
    expect(c.feed(ev('UPDATE', 'ESTABLISHED', 5, '10.1.0.3', '10.9.9.9'), ownerOf)).toBeUndefined();
    expect(c.feed(ev('UPDATE', 'ESTABLISHED', 6, '10.1.0.3', '10.1.0.3'), ownerOf)).toBeUndefined();
    expect(c.feed(ev('UPDATE', 'ESTABLISHED', 7, '10.1.0.4', '10.1.0.3', 8000), ownerOf)).toEqual({ from: 'web', to: 'app' });
  });
});

describe("a member address on this namespace's networks", () => {
  it('matches by the interface mask', () => {
    expect(onNet('172.18.0.5', { address: '172.18.0.1', netmask: '255.255.0.0' })).toBe(true);
    expect(onNet('172.19.0.5', { address: '172.18.0.1', netmask: '255.255.0.0' })).toBe(false);
    expect(onNet('10.0.0.200', { address: '10.0.0.1', netmask: '255.255.255.128' })).toBe(false);
  });
});

describe('a connection made before its ends are known', () => {
  it('is counted once they are, if within RESOLVE_MS, even after it ended', () => {
    const owners: Record<string, string> = { '10.1.0.2': 'server' };
    const ownerOf = (ip: string) => owners[ip];
    const c = new EstablishedCounter();
    const e = (kind: ConntrackEvent['kind'], state: string | undefined): ConntrackEvent => ({ kind, state, src: '10.1.0.9', dst: '10.1.0.2', sport: 999, dport: 7000 });
    expect(c.feed(e('UPDATE', 'ESTABLISHED'), ownerOf, 1000)).toBeUndefined();
    expect(c.feed(e('DESTROY', undefined), ownerOf, 1100)).toBeUndefined();
    expect(c.retry(ownerOf, 1200)).toEqual([]);
    owners['10.1.0.9'] = 'client';
    expect(c.retry(ownerOf, 1300)).toEqual([{ from: 'client', to: 'server' }]);
    expect(c.retry(ownerOf, 1400)).toEqual([]);
  });

  it('is dropped when its ends stay unknown past RESOLVE_MS', () => {
    const c = new EstablishedCounter();
    const ownerOf = (ip: string) => (ip === '10.1.0.2' ? 'server' : undefined);
    c.feed({ kind: 'UPDATE', state: 'ESTABLISHED', src: '10.1.0.9', dst: '10.1.0.2', sport: 1, dport: 7000 }, ownerOf, 0);
    expect(c.retry(ownerOf, RESOLVE_MS)).toEqual([]);
    expect(c.waiting).toBe(0);
  });
});
