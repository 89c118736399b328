import { describe, expect, it } from 'vitest';
import { canonicalIpv6, decodeAddress, parseProcNetTcp } from '../../src/core/proc-net.js';

// Captured from a busybox container on a user network: `nc -l -p 7000` (tcp6 ::, port 0x1B58)
// with connections from 172.18.0.3 in TIME_WAIT, and docker's DNS listener on 127.0.0.11.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0B00007F:A3F9 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 35687 1 00000000562d9454 100 0 0 10 0
   1: 020012AC:9C40 030012AC:1B58 01 00000000:00000000 00:00000000 00000000     0        0 40001 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1B58 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 39038 1 00000000bc231a68 100 0 0 10 0
   1: 0000000000000000FFFF0000020012AC:1B58 0000000000000000FFFF0000030012AC:D982 06 00000000:00000000 03:000010F0 00000000     0        0 0 3 000000000cac93b4
   2: B80D0120000000000000000001000000:0050 B80D0120000000000000000002000000:C350 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0
`;

describe('proc-net: /proc/<pid>/net/tcp parsing', () => {
  it.each([
    ['0100007F', '127.0.0.1'],
    ['020012AC', '172.18.0.2'],
    ['00000000', '0.0.0.0'],
    ['0000000000000000FFFF0000030012AC', '172.18.0.3'],
    ['00000000000000000000000000000000', '::'],
    ['B80D0120000000000000000001000000', '2001:db8::1'],
    ['000080FE00000000FFAC4200020012FE', 'fe80::42:acff:fe12:2'],
  ])('decodes %s as %s (little-endian host)', (hex, ip) => {
    expect(decodeAddress(hex, true)).toBe(ip);
  });

  it('decodes big-endian words too', () => {
    expect(decodeAddress('AC120002', false)).toBe('172.18.0.2');
  });

  it.each(['', '123', 'ZZ00007F', '0100007F00'])('rejects a malformed address %j', (hex) => {
    expect(decodeAddress(hex, true)).toBeUndefined();
  });

  it('canonicalises IPv6 text as the engine prints it', () => {
    expect(canonicalIpv6('2001:0DB8:0:0:0:0:0:0001')).toBe('2001:db8::1');
  });

  it('parses IPv4 sockets with their state, skipping the header', () => {
    expect(parseProcNetTcp(TCP, true)).toEqual([
      { local: { ip: '127.0.0.11', port: 0xa3f9 }, remote: { ip: '0.0.0.0', port: 0 }, state: 'LISTEN' },
      { local: { ip: '172.18.0.2', port: 40000 }, remote: { ip: '172.18.0.3', port: 7000 }, state: 'ESTABLISHED' },
    ]);
  });

  it('parses IPv6 sockets, IPv4-mapped ones as dotted IPv4', () => {
    expect(parseProcNetTcp(TCP6, true)).toEqual([
      { local: { ip: '::', port: 7000 }, remote: { ip: '::', port: 0 }, state: 'LISTEN' },
      { local: { ip: '172.18.0.2', port: 7000 }, remote: { ip: '172.18.0.3', port: 0xd982 }, state: 'TIME_WAIT' },
      { local: { ip: '2001:db8::1', port: 80 }, remote: { ip: '2001:db8::2', port: 50000 }, state: 'ESTABLISHED' },
    ]);
  });

  it('skips garbage lines and keeps the good ones around them', () => {
    const text = ['garbage', '   0: 0100007F:0050 0100007F:C350 01 x', '   1: nothex:0050 0100007F:C350 01', '   2: 0100007F:0050 0100007F:C350 ZZ', ''].join('\n');
    expect(parseProcNetTcp(text, true)).toEqual([{ local: { ip: '127.0.0.1', port: 80 }, remote: { ip: '127.0.0.1', port: 50000 }, state: 'ESTABLISHED' }]);
  });
});
