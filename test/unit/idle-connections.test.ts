// In use means in use: the pure parts, a namespace's inbound connections from its socket tables and the
// verdict the lifecycle owner puts in its records. The reading itself runs against a real Postgres in
// test/integration/idle-connections.test.ts.
import { describe, expect, it } from 'vitest';
import { inboundConnections, parseProcNetTcp } from '../../src/core/proc-net.js';
import { connectionsVerdict } from '../../src/core/idle/connections.js';

// Written for this test (little-endian words): a Postgres on 0.0.0.0:5432 and [::]:5432 at 172.17.0.4.
const HEAD = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const row = (i: number, local: string, remote: string, st: string) => `   ${i}: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000   102        0 1 1 0\n`;
const TCP =
  HEAD +
  row(0, '00000000:1538', '00000000:0000', '0A') + // LISTEN 0.0.0.0:5432
  row(1, '040011AC:1538', '050011AC:A028', '01') + // 172.17.0.5:41000 -> :5432, a psql session
  row(2, '0100007F:1538', '0100007F:C350', '01') + // 127.0.0.1:50000 -> :5432, a session from inside ...
  row(3, '0100007F:C350', '0100007F:1538', '01') + // ... and its client end (ephemeral port: not counted again)
  row(4, '040011AC:AFC8', '090011AC:18EB', '01') + // its own connection out to 172.17.0.9:6379: not inbound
  row(5, '040011AC:1538', '050011AC:A029', '06'); // a closed session in TIME_WAIT: not open
const TCP6 =
  HEAD +
  row(0, '00000000000000000000000000000000:1538', '00000000000000000000000000000000:0000', '0A') +
  row(1, '0000000000000000FFFF0000040011AC:1538', '0000000000000000FFFF0000060011AC:A02A', '01');

describe('inbound connections of a namespace', () => {
  it('keeps ESTABLISHED sockets on a listening port, once per connection, with the peer', () => {
    expect(inboundConnections([...parseProcNetTcp(TCP, true), ...parseProcNetTcp(TCP6, true)])).toEqual([
      { port: 5432, peer: { ip: '172.17.0.5', port: 41000 } },
      { port: 5432, peer: { ip: '127.0.0.1', port: 50000 } },
      { port: 5432, peer: { ip: '172.17.0.6', port: 41002 } },
    ]);
  });

  it('finds none in a namespace that listens on nothing', () => {
    expect(inboundConnections(parseProcNetTcp(HEAD + row(0, '040011AC:AFC8', '090011AC:18EB', '01'), true))).toEqual([]);
  });
});

describe('the connections verdict', () => {
  const c = (port: number, ip: string, peerPort: number) => ({ port, peer: { ip, port: peerPort } });

  it.each([
    [[], 0, 'no open connections'],
    [[c(5432, '172.17.0.5', 41000)], 1, '1 open connection on port 5432'],
    [[c(5432, '172.17.0.5', 41000), c(5432, '172.17.0.6', 41001)], 2, '2 open connections on port 5432'],
    [[c(8080, '172.17.0.5', 1), c(22, '10.0.0.1', 2), c(8080, '172.17.0.5', 3)], 3, '3 open connections on ports 22, 8080'],
  ])('%j -> %d, %s', (reading, open, why) => {
    expect(connectionsVerdict(reading)).toEqual({ open, why });
  });

  it("leaves out excluded peers (serve's own pooled sockets)", () => {
    const reading = [c(80, '172.17.0.1', 50000), c(80, '172.17.0.1', 50001), c(80, '172.17.0.7', 50000)];
    const own = (ip: string, port: number) => ip === '172.17.0.1' && port === 50000;
    expect(connectionsVerdict(reading, own)).toEqual({ open: 2, why: '2 open connections on port 80' });
    expect(connectionsVerdict([reading[0]!], own)).toEqual({ open: 0, why: 'no open connections' });
  });

  it('says why when they could not be read', () => {
    expect(connectionsVerdict("host network: its sockets are the host's")).toEqual({ open: 0, why: "connections not checked (host network: its sockets are the host's)" });
  });
});
