/**
 * The proxy's counters, rendered in the Prometheus text format (0.0.4).
 * Label sets are bounded by the routes and a handful of codes/reasons, so
 * memory stays flat.
 */
import type { IdleState } from '../idle/types.js';

export const WAKE_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const STATES: IdleState[] = ['napping', 'starting', 'ready', 'error'];

type Labels = Record<string, string>;

type Entry = { labels: Labels; value: number };

class Counter {
  readonly values = new Map<string, Entry>();

  inc(labels: Labels, by = 1): void {
    this.entry(labels).value += by;
  }

  /** The series of these labels (created at 0), to be counted on directly. */
  entry(labels: Labels): Entry {
    let key = '';
    for (const k in labels) key += labels[k] + '\u0000';
    let e = this.values.get(key);
    if (!e) this.values.set(key, (e = { labels, value: 0 }));
    return e;
  }
}

class Histogram {
  readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(readonly buckets: number[]) {}

  observe(labels: Labels, v: number): void {
    const key = JSON.stringify(labels);
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    this.buckets.forEach((b, i) => {
      if (v <= b) s!.counts[i]!++;
    });
    s.sum += v;
    s.count++;
  }
}

export const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const fmtLabels = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};
const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : 'NaN');

export interface Gauges {
  states: () => Array<{ route: string; state: IdleState; inflight: number }>;
  sseSubscribers: () => number;
}

export class ProxyMetrics {
  readonly requests = new Counter();
  readonly wakes = new Counter();
  readonly wakeDuration = new Histogram(WAKE_BUCKETS);
  readonly stops = new Counter();
  readonly tcpBytes = new Counter();
  readonly tcpConnections = new Counter();
  /** requests' series by route and code, so counting a request builds no labels or key (it is per request). */
  private readonly byRouteCode = new Map<string, Map<number, Entry>>();

  request(route: string, code: number): void {
    let codes = this.byRouteCode.get(route);
    if (!codes) this.byRouteCode.set(route, (codes = new Map()));
    let e = codes.get(code);
    if (!e) codes.set(code, (e = this.requests.entry({ route, code: String(code) })));
    e.value++;
  }

  wake(route: string, ok: boolean, seconds: number): void {
    this.wakes.inc({ route, result: ok ? 'ok' : 'error' });
    if (ok) this.wakeDuration.observe({ route }, seconds);
  }

  render(g: Gauges): string {
    const out: string[] = [];
    counter(out, 'berth_proxy_requests_total', 'HTTP requests proxied or answered, by route and status code.', this.requests);
    counter(out, 'berth_proxy_wakes_total', 'Wakes started by the proxy, by route and result.', this.wakes);
    histogram(out, 'berth_proxy_wake_duration_seconds', 'Time from the start of a wake to ready.', this.wakeDuration);
    counter(out, 'berth_proxy_stops_total', 'Containers going to sleep, by route and reason (idle: stopped by berth; external: stopped by someone else).', this.stops);
    counter(out, 'berth_proxy_tcp_connections_total', 'TCP connections accepted, by route.', this.tcpConnections);
    counter(out, 'berth_proxy_tcp_bytes_total', 'TCP bytes moved, by route and direction (in: client to container).', this.tcpBytes);
    const states = g.states();
    out.push('# HELP berth_proxy_route_state Current state per route (1 for the current state).', '# TYPE berth_proxy_route_state gauge');
    for (const s of states) for (const st of STATES) out.push(`berth_proxy_route_state${fmtLabels({ route: s.route, state: st })} ${s.state === st ? 1 : 0}`);
    out.push('# HELP berth_proxy_inflight Requests, streams and connections in flight per route.', '# TYPE berth_proxy_inflight gauge');
    for (const s of states) out.push(`berth_proxy_inflight${fmtLabels({ route: s.route })} ${s.inflight}`);
    out.push('# HELP berth_proxy_sse_subscribers Open wake-event (SSE) subscriptions.', '# TYPE berth_proxy_sse_subscribers gauge');
    out.push(`berth_proxy_sse_subscribers ${g.sseSubscribers()}`);
    return out.join('\n') + '\n';
  }
}

function counter(out: string[], name: string, help: string, c: Counter): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
  for (const { labels, value } of c.values.values()) out.push(`${name}${fmtLabels(labels)} ${num(value)}`);
}

function histogram(out: string[], name: string, help: string, h: Histogram): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  for (const s of h.series.values()) {
    h.buckets.forEach((b, i) => out.push(`${name}_bucket${fmtLabels({ ...s.labels, le: String(b) })} ${s.counts[i]}`));
    out.push(`${name}_bucket${fmtLabels({ ...s.labels, le: '+Inf' })} ${s.count}`);
    out.push(`${name}_sum${fmtLabels(s.labels)} ${num(s.sum)}`, `${name}_count${fmtLabels(s.labels)} ${s.count}`);
  }
}
