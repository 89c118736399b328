/**
 * Routing at run time: which route a Host header or a path takes. Only
 * configured routes are proxied, so berth is never an open proxy. Pure: the
 * routes are parsed from labels in config/route-labels.ts, the engine side is
 * in discover.ts.
 */
import type { IgnoreRule, Route } from '../config/route-labels.js';

export { LABEL, SABLIER, isRouteLabels, parseIgnore, parseRoute, type IgnoreRule, type Route, type TcpMapping } from '../config/route-labels.js';

/** Does a path match a prefix list entry ("/api" matches "/api", "/api/x", "/api?x", not "/apix")? */
export function pathMatches(path: string, prefix: string): boolean {
  if (prefix === '/' || path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  if (prefix.endsWith('/')) return true;
  const next = path[prefix.length];
  return next === '/' || next === '?' || next === '#';
}

export function isIgnored(rule: IgnoreRule, path: string, userAgent: string | undefined): boolean {
  if (rule.paths.some((p) => pathMatches(path, p))) return true;
  if (!rule.agents.length) return false;
  const ua = (userAgent ?? '').toLowerCase();
  return ua !== '' && rule.agents.some((a) => ua.includes(a));
}

export function mayWake(route: Route, path: string): boolean {
  return !route.startEndpoints || route.startEndpoints.some((p) => pathMatches(path, p));
}

/** Host header to a route key: lower case, port and trailing dot removed. */
export function hostKey(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  const bare = h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d+$/, '');
  return bare.replace(/\.$/, '');
}

/** Lookup tables built from a route list; duplicates are reported, the first (by container name) wins. */
export class RouteTable {
  readonly byHost = new Map<string, Route>();
  readonly byTcp = new Map<number, Route>();
  readonly byName = new Map<string, Route>();
  readonly conflicts: string[] = [];

  constructor(routes: Route[]) {
    for (const r of [...routes].sort((a, b) => a.container.localeCompare(b.container))) this.add(r);
  }

  private add(r: Route): void {
    this.byName.set(r.container, r);
    for (const h of r.hosts) {
      const other = this.byHost.get(h);
      if (other) this.conflicts.push(`host ${h} is claimed by ${other.container} and ${r.container}; using ${other.container}`);
      else this.byHost.set(h, r);
    }
    for (const t of r.tcp) {
      const other = this.byTcp.get(t.listen);
      if (other) this.conflicts.push(`TCP port ${t.listen} is claimed by ${other.container} and ${r.container}; using ${other.container}`);
      else this.byTcp.set(t.listen, r);
    }
  }

  forHost(host: string | undefined): Route | undefined {
    // A Host header that is already a key (lower case, no port) is looked up as it is: hostKey would not change it.
    return (host !== undefined && this.byHost.get(host)) || this.byHost.get(hostKey(host));
  }

  get routes(): Route[] {
    return [...this.byName.values()];
  }
}
