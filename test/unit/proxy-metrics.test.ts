import { describe, expect, it } from 'vitest';
import { Activity } from '../../src/core/proxy/activity.js';
import { escapeLabel, ProxyMetrics } from '../../src/core/proxy/metrics.js';

describe('ProxyMetrics', () => {
  it('renders counters, the wake histogram and gauges in the Prometheus text format', () => {
    const m = new ProxyMetrics();
    m.request('web', 200);
    m.request('web', 200);
    m.request('web', 503);
    m.wake('web', true, 0.3);
    m.wake('web', true, 7);
    m.wake('web', false, 60);
    m.stops.inc({ route: 'web', reason: 'idle' });
    const text = m.render({ states: () => [{ route: 'web', state: 'ready', inflight: 2 }], sseSubscribers: () => 3 });
    const lines = text.split('\n');
    expect(lines).toContain('berth_proxy_requests_total{route="web",code="200"} 2');
    expect(lines).toContain('berth_proxy_requests_total{route="web",code="503"} 1');
    expect(lines).toContain('berth_proxy_wakes_total{route="web",result="ok"} 2');
    expect(lines).toContain('berth_proxy_wakes_total{route="web",result="error"} 1');
    expect(lines).toContain('berth_proxy_stops_total{route="web",reason="idle"} 1');
    expect(lines.filter((l) => l.startsWith('berth_proxy_wake_duration_seconds'))).toEqual([
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="0.1"} 0',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="0.25"} 0',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="0.5"} 1',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="1"} 1',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="2.5"} 1',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="5"} 1',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="10"} 2',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="30"} 2',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="60"} 2',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="120"} 2',
      'berth_proxy_wake_duration_seconds_bucket{route="web",le="+Inf"} 2',
      'berth_proxy_wake_duration_seconds_sum{route="web"} 7.3',
      'berth_proxy_wake_duration_seconds_count{route="web"} 2',
    ]);
    expect(lines.filter((l) => l.startsWith('berth_proxy_route_state'))).toEqual([
      'berth_proxy_route_state{route="web",state="napping"} 0',
      'berth_proxy_route_state{route="web",state="starting"} 0',
      'berth_proxy_route_state{route="web",state="ready"} 1',
      'berth_proxy_route_state{route="web",state="error"} 0',
    ]);
    expect(lines).toContain('berth_proxy_inflight{route="web"} 2');
    expect(lines).toContain('berth_proxy_sse_subscribers 3');
    expect(lines).toContain('# TYPE berth_proxy_wake_duration_seconds histogram');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('escapes label values', () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});

describe('Activity', () => {
  it('counts in-flight work and says when a route may sleep', () => {
    let now = 10_000;
    const a = new Activity(() => now);
    expect(a.sleepsIn('web', 5000)).toBe(0); // never used: may sleep now
    const end = a.begin('web');
    now = 60_000;
    expect(a.sleepsIn('web', 5000)).toBeUndefined(); // in flight: never, however long
    end();
    end(); // a second call is ignored
    expect(a.get('web')).toEqual({ inflight: 0, last: 60_000 });
    now = 62_000;
    expect(a.sleepsIn('web', 5000)).toBe(3000);
    a.touch('web');
    expect(a.sleepsIn('web', 5000)).toBe(5000);
    now = 70_000;
    expect(a.sleepsIn('web', 5000)).toBe(0);
    expect(a.sleepsIn('web', 0)).toBeUndefined(); // timeout 0 = never sleeps
  });

  it('counts the timeout from when the container became ready, if that is later than its last activity', () => {
    let now = 100_000;
    const a = new Activity(() => now);
    a.touch('web'); // last request before it slept
    now = 500_000; // started by hand long after
    expect(a.sleepsIn('web', 30_000, 500_000)).toBe(30_000);
    now = 510_000;
    expect(a.sleepsIn('web', 30_000, 500_000)).toBe(20_000);
    now = 530_000;
    expect(a.sleepsIn('web', 30_000, 500_000)).toBe(0);
    a.touch('web'); // activity after the start counts as usual
    expect(a.sleepsIn('web', 30_000, 500_000)).toBe(30_000);
  });
});
