/**
 * The `client` node: requests that arrive through a running `berth serve`.
 * serve counts them per route (the route is the container's name) in its
 * Prometheus endpoint, `/$berth/metrics`: `berth_proxy_requests_total` (HTTP
 * requests, by route and code) and `berth_proxy_tcp_connections_total` (TCP
 * connections, by route). We read it every POLL_MS and count the increase
 * per route since the previous read on the edge client -> the route's node.
 * The first read is a baseline; a total that went down means serve
 * restarted, and its new total is the increase.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export const SERVE_POLL_MS = 1000;
export const SERVE_TIMEOUT_MS = 3000;
const COUNTERS = ['berth_proxy_requests_total', 'berth_proxy_tcp_connections_total'];

/** Per-route totals of serve's request counters, from its metrics text. Lines that do not parse are skipped. */
export function requestTotals(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\}\s+(\S+)$/.exec(line.trim());
    if (!m || !COUNTERS.includes(m[1]!)) continue;
    const route = labelValue(m[2]!, 'route');
    const v = Number(m[3]);
    if (route === undefined || !Number.isFinite(v)) continue;
    out.set(route, (out.get(route) ?? 0) + v);
  }
  return out;
}

/** A label's value from a Prometheus label set, unescaping \\, \" and \n. */
export function labelValue(labels: string, name: string): string | undefined {
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(labels); m; m = re.exec(labels)) {
    if (m[1] === name) return m[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return undefined;
}

export class RequestDeltas {
  private prev: Map<string, number> | undefined;

  /** The increase per route since the last call (routes with none are left out). */
  update(totals: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    if (this.prev) {
      for (const [route, v] of totals) {
        const before = this.prev.get(route) ?? 0;
        const d = v >= before ? v - before : v;
        if (d > 0) out.set(route, d);
      }
    }
    this.prev = totals;
    return out;
  }
}

export interface ServeSourceOptions {
  /** serve's base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  tokenFile?: string;
  warn: (msg: string) => void;
  pollMs?: number;
}

export function metricsUrl(base: string): string {
  const u = new URL(base);
  u.pathname = u.pathname.replace(/\/$/, '') + '/$berth/metrics';
  return u.toString();
}

/** Increases per route, one map per read that found any. Says once when serve cannot be read, and again when it can. */
export async function* serveRequests(o: ServeSourceOptions, signal: AbortSignal): AsyncGenerator<Map<string, number>> {
  const url = metricsUrl(o.url);
  const token = o.tokenFile ? (await readFile(o.tokenFile, 'utf8')).trim() : undefined;
  const deltas = new RequestDeltas();
  let failing = false;
  while (!signal.aborted) {
    try {
      const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(SERVE_TIMEOUT_MS)]), headers: token ? { authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const found = deltas.update(requestTotals(await res.text()));
      if (failing) o.warn(`reading berth serve at ${url} again`);
      failing = false;
      if (found.size) yield found;
    } catch (err) {
      if (signal.aborted) return;
      if (!failing) o.warn(`cannot read berth serve at ${url}: ${(err as Error).message}; client requests are not counted until it answers`);
      failing = true;
    }
    await sleep(o.pollMs ?? SERVE_POLL_MS, undefined, { signal }).catch(() => {});
  }
}
