import { describe, expect, it } from 'vitest';
import { hostKey, isIgnored, mayWake, parseIgnore, parseRoute, pathMatches, RouteTable } from '../../src/core/proxy/routes.js';

describe('proxy routes: labels', () => {
  it('parses every proxy label', () => {
    const r = parseRoute('web', {
      'berth.proxy.host': 'App.Example.test, other.test',
      'berth.proxy.port': '8080',
      'berth.proxy.tcp': '5432, 16379:6379',
      'berth.proxy.ignore': '/healthz, /metrics/,UptimeRobot',
      'berth.idle.start_endpoint': '/,/api/wake',
    });
    expect(r).toMatchObject({
      container: 'web',
      hosts: ['app.example.test', 'other.test'],
      port: 8080,
      tcp: [
        { listen: 5432, upstream: 5432 },
        { listen: 16379, upstream: 6379 },
      ],
      ignore: { paths: ['/healthz', '/metrics/'], agents: ['uptimerobot'] },
      startEndpoints: ['/', '/api/wake'],
    });
  });

  it('defaults: port 80, no TCP, nothing ignored, any path may wake', () => {
    const r = parseRoute('web', { 'berth.proxy.host': 'a.test' });
    expect(r.port).toBe(80);
    expect(r.tcp).toEqual([]);
    expect(r.ignore).toEqual({ paths: [], agents: [] });
    expect(r.startEndpoints).toBeUndefined();
  });

  it.each([
    [{ 'berth.proxy.host': 'a.test', 'berth.proxy.port': 'http' }, 'container web: label berth.proxy.port: expected a port number 1-65535 (got: "http")'],
    [{ 'berth.proxy.host': 'a.test', 'berth.proxy.port': '70000' }, 'container web: label berth.proxy.port: expected a port number 1-65535 (got: "70000")'],
    [{ 'berth.proxy.host': 'a_b.test' }, 'container web: label berth.proxy.host: expected host names separated by commas (got: "a_b.test")'],
    [{ 'berth.proxy.host': ' , ' }, 'container web: label berth.proxy.host: expected at least one host name (got: " , ")'],
    [{ 'berth.proxy.tcp': '5432-5433' }, 'container web: label berth.proxy.tcp: expected LISTEN or LISTEN:PORT, separated by commas (got: "5432-5433")'],
    [{ 'berth.proxy.host': 'a.test', 'berth.idle.start_endpoint': 'api' }, 'container web: label berth.idle.start_endpoint: expected path prefixes starting with / (got: "api")'],
  ])('rejects %j with a message naming the container and label', (labels, message) => {
    expect(() => parseRoute('web', labels)).toThrow(message);
  });
});

describe('proxy routes: matching', () => {
  it.each([
    ['/api', '/api', true],
    ['/api/x', '/api', true],
    ['/api?x=1', '/api', true],
    ['/apix', '/api', false],
    ['/metrics/a', '/metrics/', true],
    ['/anything', '/', true],
    ['/other', '/api', false],
  ])('pathMatches(%s, %s) = %s', (path, prefix, want) => {
    expect(pathMatches(path, prefix)).toBe(want);
  });

  it('ignores by path prefix or user-agent substring, case-insensitively for agents', () => {
    const rule = parseIgnore('/healthz,UptimeRobot,bot');
    expect(isIgnored(rule, '/healthz', 'curl/8')).toBe(true);
    expect(isIgnored(rule, '/healthz/deep', undefined)).toBe(true);
    expect(isIgnored(rule, '/', 'Mozilla/5.0 (compatible; UPTIMEROBOT/2.0)')).toBe(true);
    expect(isIgnored(rule, '/', 'Googlebot/2.1')).toBe(true);
    expect(isIgnored(rule, '/', 'Mozilla/5.0 Firefox')).toBe(false);
    expect(isIgnored(rule, '/', undefined)).toBe(false);
  });

  it('start endpoints restrict which paths may wake', () => {
    const r = parseRoute('w', { 'berth.proxy.host': 'a.test', 'berth.idle.start_endpoint': '/wake,/api/start' });
    expect(mayWake(r, '/wake')).toBe(true);
    expect(mayWake(r, '/api/start?now=1')).toBe(true);
    expect(mayWake(r, '/')).toBe(false);
    expect(mayWake(parseRoute('w', { 'berth.proxy.host': 'a.test' }), '/x')).toBe(true);
  });

  it.each([
    ['App.Example.TEST:8080', 'app.example.test'],
    ['app.example.test.', 'app.example.test'],
    ['[::1]:8080', '[::1]'],
    [undefined, ''],
  ])('hostKey(%s) = %s', (host, key) => {
    expect(hostKey(host)).toBe(key);
  });

  it('the route table finds routes by host and TCP port; a host claimed twice goes to the first by name and is reported', () => {
    const t = new RouteTable([
      parseRoute('zeta', { 'berth.proxy.host': 'shared.test', 'berth.proxy.tcp': '5432' }),
      parseRoute('alpha', { 'berth.proxy.host': 'shared.test,alpha.test', 'berth.proxy.tcp': '5432' }),
    ]);
    expect(t.forHost('SHARED.test:80')?.container).toBe('alpha');
    expect(t.forHost('alpha.test')?.container).toBe('alpha');
    expect(t.forHost('nope.test')).toBeUndefined();
    expect(t.byTcp.get(5432)?.container).toBe('alpha');
    expect(t.conflicts).toEqual(['host shared.test is claimed by alpha and zeta; using alpha', 'TCP port 5432 is claimed by alpha and zeta; using alpha']);
  });
});
