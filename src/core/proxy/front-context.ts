/** What the HTTP, WebSocket and TCP front ends share: routes, their lives, activity, metrics, limits. */
import type { AccessRules } from './access.js';
import type { Activity } from './activity.js';
import type { RouteLife } from './lifecycle.js';
import type { ProxyMetrics } from './metrics.js';
import type { RouteTable } from './routes.js';
import type { UpstreamPools } from './upstream-pool.js';

export interface ProxyContext {
  table: () => RouteTable;
  life: (container: string) => RouteLife | undefined;
  activity: Activity;
  metrics: ProxyMetrics;
  access: AccessRules;
  /** The bearer token of the admin endpoints (--token-file); without it, failure details are not shown. */
  token?: string;
  /** Whether a client address is a trusted proxy whose forwarding headers are believed (--trusted-proxy). */
  trustedProxies?: (addr: string) => boolean;
  /** Keep-alive connections to the upstreams, one pool per address. */
  upstreams: UpstreamPools;
  /** Bytes of request body held per request while a container wakes. */
  holdBodyLimit: number;
  /** After a wake, refused connections are retried for this long (ms). */
  connectGraceMs: number;
  /** Called on every counted request for a route (starts/renews stats sampling). */
  onRequest: (container: string) => void;
  /** Seconds a client is told to wait (Retry-After) when a route cannot answer now. */
  retryAfterSec: number;
  signal: AbortSignal;
}
