/**
 * Keep-alive connection pools for the upstream hop, one undici Pool per
 * upstream address. A pool opens up to `connections` sockets (default 512)
 * and closes an idle one after undici's keep-alive timeout (4 s, or less when
 * the upstream says so in Keep-Alive), so a pool nobody uses holds no socket.
 * Upstream answer heads with bare-LF line ends are repaired (upstream-head.ts).
 * No timeouts on a request's head or body: a slow or endless stream (SSE)
 * is the app's business, as it is without berth in front.
 * Bound: at most `maxPools` pools (default 256); past it the oldest is closed
 * (its in-flight requests finish first) and dropped, so addresses of
 * containers that come and go do not pile up.
 */
import { buildConnector, Pool } from 'undici';
import type { Socket } from 'node:net';
import type { Address } from './upstream.js';
import { repairFirstHead } from './upstream-head.js';
import { trackOwnSocket } from './own-sockets.js';

/**
 * undici's own connector, with each new connection's first answer head repaired (upstream-head.ts), and
 * its local end remembered (own-sockets.ts: an idle pooled socket does not keep its container awake).
 */
function tolerantConnector(): buildConnector.connector {
  const connect = buildConnector({});
  return (opts, callback) =>
    connect(opts, (...args) => {
      if (args[1]) {
        repairFirstHead(args[1] as Socket);
        trackOwnSocket(args[1] as Socket);
      }
      callback(...args);
    });
}

export interface UpstreamPoolOptions {
  connections?: number;
  maxPools?: number;
}

export class UpstreamPools {
  private readonly pools = new Map<string, Pool>();
  /** By the Address object a route keeps while its container runs, so the per-request lookup builds no key. */
  private readonly byAddress = new WeakMap<Address, Pool>();
  private readonly connect = tolerantConnector();

  constructor(private readonly opts: UpstreamPoolOptions = {}) {}

  get(addr: Address): Pool {
    const known = this.byAddress.get(addr);
    if (known && !known.closed && !known.destroyed) return known;
    const pool = this.byKey(addr);
    this.byAddress.set(addr, pool);
    return pool;
  }

  private byKey(addr: Address): Pool {
    const key = `${addr.host}:${addr.port}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(`http://${addr.host.includes(':') ? `[${addr.host}]` : addr.host}:${addr.port}`, {
        connections: this.opts.connections ?? 512,
        headersTimeout: 0,
        bodyTimeout: 0,
        connect: this.connect,
      });
      this.pools.set(key, pool);
      if (this.pools.size > (this.opts.maxPools ?? 256)) this.drop(this.pools.keys().next().value!);
    }
    return pool;
  }

  private drop(key: string): void {
    const pool = this.pools.get(key);
    this.pools.delete(key);
    pool?.close().catch(() => {});
  }

  /** Closes every socket at once (shutdown, after in-flight requests were given their time). */
  async destroy(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((p) => p.destroy().catch(() => {})));
  }
}
