import { describe, expect, it } from 'vitest';
import { pickRoutes, readAsk, type GateAsk } from '../../src/core/proxy/gate-ask.js';
import { parseRoute, RouteTable } from '../../src/core/proxy/routes.js';

const table = new RouteTable([
  parseRoute('web', { 'berth.proxy.host': 'web.test', 'com.docker.compose.project': 'shop' }),
  parseRoute('api', { 'berth.proxy.host': 'api.test', 'com.docker.compose.project': 'shop' }),
  parseRoute('blog', { 'berth.proxy.host': 'blog.test' }),
]);
const fwd = { host: '127.0.0.1:9090', 'x-forwarded-host': 'web.test', 'x-forwarded-uri': '/app/x?y=1', 'x-forwarded-method': 'post' };
const ask = (url: string, headers: Record<string, string>, trusted: boolean) => readAsk(url, headers, trusted) as GateAsk;

describe('the gate question', () => {
  it('believes X-Forwarded-Host, -Uri and -Method from a trusted proxy', () => {
    expect(ask('/gate', fwd, true)).toEqual({ names: [], group: undefined, host: 'web.test', path: '/app/x?y=1', method: 'POST', wait: false, deny: undefined, ignoredForward: false });
  });

  it('takes the first host of a proxy chain in X-Forwarded-Host', () => {
    expect(ask('/gate', { 'x-forwarded-host': 'api.test, inner.test' }, true).host).toBe('api.test');
    expect(ask('/gate', { 'x-forwarded-host': ' blog.test ' }, true).host).toBe('blog.test');
  });

  it('ignores them from anyone else: the Host header, / and GET, and says they were ignored', () => {
    expect(ask('/gate', fwd, false)).toMatchObject({ host: '127.0.0.1:9090', path: '/', method: 'GET', ignoredForward: true });
  });

  it('reads names (repeated and comma-separated), group, wait and deny from the query; X-Berth-Wait from the client', () => {
    expect(ask('/gate?names=web,api&names=blog&group=shop&wait=1&deny=401', {}, false)).toMatchObject({ names: ['web', 'api', 'blog'], group: 'shop', wait: true, deny: 401 });
    expect(ask('/gate', { 'x-berth-wait': 'true' }, false).wait).toBe(true);
    expect(ask('/gate?wait=0', {}, false).wait).toBe(false);
  });

  it('reads a query asked again (remembered per query) the same, headers still per request', () => {
    const url = '/gate?names=web&deny=403&wait=1';
    const first = ask(url, { host: 'a.test' }, false);
    const again = ask(url, { host: 'b.test', 'x-berth-wait': '0' }, false);
    expect(again).toEqual({ ...first, host: 'b.test' });
    expect(again).toMatchObject({ names: ['web'], deny: 403, wait: true });
    expect(readAsk('/gate?deny=500', {}, true)).toEqual({ error: 'deny: expected 401 or 403 (got: "500")' });
    expect(readAsk('/gate?deny=500', {}, true)).toEqual({ error: 'deny: expected 401 or 403 (got: "500")' });
  });

  it('refuses a deny code nginx cannot pass on', () => {
    expect(readAsk('/gate?deny=503', {}, true)).toEqual({ error: 'deny: expected 401 or 403 (got: "503")' });
  });

  it.each([
    ['/gate?names=api,web', {}, ['api', 'web']],
    ['/gate?group=shop', {}, ['api', 'web']],
    ['/gate', { host: 'Blog.test:8080' }, ['blog']],
  ])('picks the routes of %s', (url, headers, names) => {
    const routes = pickRoutes(table, ask(url, headers, false));
    expect(Array.isArray(routes) && routes.map((r) => r.container)).toEqual(names);
  });

  it.each([
    ['/gate?names=web,nope', {}, true, 'no route for container nope'],
    ['/gate?group=none', {}, true, 'no route in group "none" (a group is a sablier.group label, else a compose project)'],
    ['/gate', fwd, false, 'no route for host "127.0.0.1:9090"; X-Forwarded-* were ignored: the client is not a --trusted-proxy'],
    ['/gate', { host: 'other.test' }, true, 'no route for host "other.test"; name the routes with ?names= or ?group=, or send X-Forwarded-Host from a --trusted-proxy'],
  ])('says why %s picks nothing', (url, headers, trusted, error) => {
    expect(pickRoutes(table, ask(url, headers as Record<string, string>, trusted))).toEqual({ error });
  });
});
