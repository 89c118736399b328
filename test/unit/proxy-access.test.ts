import { describe, expect, it, vi } from 'vitest';
import { isAllowed, normalizeAddress, parseCidrs, showsDetails, tokenMatches, trustedProxyCheck } from '../../src/core/proxy/access.js';
import { openAdminWarning, parseBytes, parseListen } from '../../src/core/proxy/listen.js';

describe('proxy access: CIDR lists', () => {
  const rules = (allow: string[], deny: string[]) => ({ allow: parseCidrs(allow, '--allow'), deny: parseCidrs(deny, '--deny') });

  it.each([
    [[], [], '203.0.113.9', true],
    [['10.0.0.0/8'], [], '10.1.2.3', true],
    [['10.0.0.0/8'], [], '11.1.2.3', false],
    [['10.0.0.0/8'], [], '::ffff:10.1.2.3', true],
    [['10.0.0.0/8'], ['10.9.0.0/16'], '10.9.1.1', false],
    [[], ['127.0.0.1'], '127.0.0.1', false],
    [[], ['127.0.0.1'], '127.0.0.2', true],
    [['fd00::/8'], [], 'fd12::1', true],
    [['fd00::/8'], [], '2001:db8::1', false],
    [['10.0.0.0/8,192.168.0.0/16'], [], '192.168.1.1', true],
    [['10.0.0.0/8'], [], undefined, false],
  ])('allow %j deny %j: %s -> %s', (allow, deny, addr, want) => {
    expect(isAllowed(rules(allow, deny), addr)).toBe(want);
  });

  it.each(['10.0.0.0/33', 'ten.0.0.0/8', '10.0.0.0/x', 'fd00::/129'])('rejects %s naming the flag', (v) => {
    expect(() => parseCidrs([v], '--allow')).toThrow(`--allow: expected an address or CIDR like 10.0.0.0/8 or fd00::/8 (got: ${JSON.stringify(v)})`);
  });

  it('checks each client address against the lists once, however many requests it sends', () => {
    const r = rules(['10.0.0.0/8'], ['10.9.0.0/16']);
    const allow = vi.spyOn(r.allow!, 'check');
    const deny = vi.spyOn(r.deny!, 'check');
    const answers = ['10.1.2.3', '10.9.1.1', '11.1.2.3', '10.1.2.3', '10.9.1.1', '11.1.2.3', '10.1.2.3'].map((a) => isAllowed(r, a));
    expect(answers).toEqual([true, false, false, true, false, false, true]);
    expect(deny).toHaveBeenCalledTimes(3);
    expect(allow).toHaveBeenCalledTimes(2); // 10.9.1.1 is denied before the allow list is looked at
  });

  it('--trusted-proxy: checks each address against the list once, however many requests it sends', () => {
    const list = parseCidrs(['127.0.0.1'], '--trusted-proxy')!;
    const check = vi.spyOn(list, 'check');
    const trusted = trustedProxyCheck(list)!;
    const answers = ['127.0.0.1', '::ffff:127.0.0.1', '127.0.0.2', '127.0.0.1', '::ffff:127.0.0.1', '127.0.0.2', 'nonsense', 'nonsense'].map(trusted);
    expect(answers).toEqual([true, true, false, true, true, false, false, false]);
    expect(check).toHaveBeenCalledTimes(3);
  });

  it('normalizes IPv4-mapped IPv6 addresses', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toEqual({ addr: '127.0.0.1', type: 'ipv4' });
    expect(normalizeAddress('::1')).toEqual({ addr: '::1', type: 'ipv6' });
    expect(normalizeAddress('nonsense')).toBeUndefined();
  });
});

describe('proxy access: bearer token', () => {
  it.each([
    [undefined, undefined, true],
    ['s3cret', 'Bearer s3cret', true],
    ['s3cret', 'bearer   s3cret', true],
    ['s3cret', 'Bearer s3cre', false],
    ['s3cret', 'Basic czNjcmV0', false],
    ['s3cret', undefined, false],
  ])('token %s, header %s -> %s', (token, header, want) => {
    expect(tokenMatches(token, header)).toBe(want);
  });

  it.each([
    [undefined, undefined, false],
    [undefined, 'Bearer anything', false],
    ['s3cret', 'Bearer s3cret', true],
    ['s3cret', 'Bearer nope', false],
    ['s3cret', undefined, false],
  ])('wake details: token %s, header %s -> %s (only with the configured token; nobody without one)', (token, header, want) => {
    expect(showsDetails(token, header)).toBe(want);
  });
});

describe('serve flags: listen address and sizes', () => {
  it.each([
    ['8080', { host: '127.0.0.1', port: 8080 }],
    ['0.0.0.0:80', { host: '0.0.0.0', port: 80 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('parseListen(%s)', (text, want) => {
    expect(parseListen(text)).toEqual(want);
  });

  it.each(['', 'host', '1:2:3', '[nothex]:80', '99999'])('parseListen rejects %j', (text) => {
    expect(() => parseListen(text)).toThrow(/^--listen: expected PORT, HOST:PORT or \[IPV6\]:PORT/);
  });

  it.each([
    ['512', 512],
    ['64k', 65536],
    ['1m', 1048576],
    ['1.5MiB', 1572864],
    ['2g', 2147483648],
  ])('parseBytes(%s) = %d', (text, n) => {
    expect(parseBytes(text, '--hold-body')).toBe(n);
  });

  it('parseBytes names the flag', () => {
    expect(() => parseBytes('lots', '--hold-body')).toThrow('--hold-body: expected a size like 512, 64k, 1m (got: "lots")');
  });
});

describe('serve: the warning for admin endpoints open to the network', () => {
  const none = { token: undefined, allowList: false };
  it('warns, in one line, for a non-loopback listener with neither a token nor an allow list', () => {
    expect(openAdminWarning('0.0.0.0', 8080, none)).toBe(
      'listening on 0.0.0.0:8080 with neither --token-file nor --allow: /$berth/status, /$berth/metrics and /$berth/api/stats are open to anyone on the network who can connect',
    );
    expect(openAdminWarning('::', 80, none)).toMatch(/^listening on \[::\]:80 with neither/);
    expect(openAdminWarning('192.168.1.5', 80, none)).toMatch(/^listening on 192\.168\.1\.5:80 /);
  });
  it('is quiet on loopback, with a token, or with an allow list', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(openAdminWarning(a, 80, none)).toBeUndefined();
    expect(openAdminWarning('0.0.0.0', 80, { token: 't', allowList: false })).toBeUndefined();
    expect(openAdminWarning('0.0.0.0', 80, { token: undefined, allowList: true })).toBeUndefined();
  });
});
