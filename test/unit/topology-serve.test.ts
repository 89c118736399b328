import { describe, expect, it } from 'vitest';
import { labelValue, metricsUrl, RequestDeltas, requestTotals } from '../../src/core/topology/serve-source.js';

// As berth serve renders it (src/core/proxy/metrics.ts).
const METRICS = `# HELP berth_proxy_requests_total HTTP requests proxied or answered, by route and status code.
# TYPE berth_proxy_requests_total counter
berth_proxy_requests_total{route="shop-api-1",code="200"} 12
berth_proxy_requests_total{route="shop-api-1",code="503"} 2
berth_proxy_requests_total{route="shop-web-1",code="200"} 5
# TYPE berth_proxy_wakes_total counter
berth_proxy_wakes_total{route="shop-api-1",result="ok"} 1
berth_proxy_tcp_connections_total{route="shop-db-1"} 4
berth_proxy_tcp_bytes_total{route="shop-db-1",direction="in"} 2100
berth_proxy_requests_total{route="odd\\"name",code="200"} 1
berth_proxy_requests_total{code="200"} 9
berth_proxy_requests_total{route="shop-web-1",code="500"} NaN-ish
berth_proxy_inflight{route="shop-api-1"} 3
`;

describe('topology: berth serve requests for the client node', () => {
  it('sums requests per route over codes, TCP connections too, skipping other series and bad lines', () => {
    expect([...requestTotals(METRICS)]).toEqual([
      ['shop-api-1', 14],
      ['shop-web-1', 5],
      ['shop-db-1', 4],
      ['odd"name', 1],
    ]);
  });

  it('reads label values with escapes', () => {
    expect(labelValue('route="a\\\\b",code="200"', 'route')).toBe('a\\b');
    expect(labelValue('code="200",route="x\\ny"', 'route')).toBe('x\ny');
    expect(labelValue('code="200"', 'route')).toBeUndefined();
  });

  it('counts the increase per route; the first read is a baseline; a drop means serve restarted', () => {
    const d = new RequestDeltas();
    expect([...d.update(new Map([['api', 10]]))]).toEqual([]);
    expect([
      ...d.update(
        new Map([
          ['api', 13],
          ['web', 2],
        ]),
      ),
    ]).toEqual([
      ['api', 3],
      ['web', 2],
    ]);
    expect([
      ...d.update(
        new Map([
          ['api', 13],
          ['web', 2],
        ]),
      ),
    ]).toEqual([]);
    expect([
      ...d.update(
        new Map([
          ['api', 4],
          ['web', 2],
        ]),
      ),
    ]).toEqual([['api', 4]]);
  });

  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/$berth/metrics'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080/$berth/metrics'],
    ['https://proxy.lan/base/', 'https://proxy.lan/base/$berth/metrics'],
  ])('metrics URL of %s', (base, want) => {
    expect(metricsUrl(base)).toBe(want);
  });
});
