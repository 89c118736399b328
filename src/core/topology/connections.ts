/**
 * New TCP connections between a project's containers, from successive reads
 * of their socket tables. A connection is keyed by its (client, server)
 * address pair; the side whose local port is listening is the server. Both
 * ends usually see the same connection: the key makes it count once. A short
 * connection is still seen: its closing side keeps it in TIME_WAIT for a
 * minute, far longer than a poll interval.
 *
 * "New" means: not seen in the previous poll. The first read of a namespace
 * only sets a baseline (those connections may be hours old), unless the
 * container is `fresh` (started while we watch), so nothing old is counted.
 *
 * Bound: at most MAX_TRACKED keys are kept per poll; past it, the rest of the
 * poll is ignored and `overflow` is set (the caller says so once).
 */
import type { TcpSocket } from '../proc-net.js';

export const MAX_TRACKED = 65_536;

export interface Observation {
  /** The node the namespace belongs to. */
  node: string;
  /** The container id (several may share a node). */
  member: string;
  sockets: TcpSocket[];
  /** Started after we began watching: its first read counts too. */
  fresh: boolean;
}

export interface NewConnection {
  from: string;
  to: string;
}

export class ConnectionTracker {
  private prevKeys = new Set<string>();
  private prevMembers = new Set<string>();
  overflow = false;

  /** One poll over every namespace; returns the connections that are new since the last poll. */
  poll(observations: Observation[], ownerOf: (ip: string) => string | undefined): NewConnection[] {
    const keys = new Set<string>();
    const found: NewConnection[] = [];
    for (const o of observations) {
      const counts = o.fresh || this.prevMembers.has(o.member);
      const listening = new Set(o.sockets.filter((s) => s.state === 'LISTEN').map((s) => s.local.port));
      for (const s of o.sockets) {
        if (s.state === 'LISTEN' || s.state === 'CLOSE' || s.remote.port === 0) continue;
        const link = direct(o.node, s, listening, ownerOf);
        if (!link || keys.has(link.key)) continue;
        if (keys.size >= MAX_TRACKED) {
          this.overflow = true;
          break;
        }
        keys.add(link.key);
        if (counts && !this.prevKeys.has(link.key)) found.push({ from: link.from, to: link.to });
      }
    }
    this.prevKeys = keys;
    this.prevMembers = new Set(observations.map((o) => o.member));
    return found;
  }
}

/** Client and server of a socket seen in `node`'s namespace, or undefined when the far end is not a known node. */
function direct(node: string, s: TcpSocket, listening: Set<number>, ownerOf: (ip: string) => string | undefined) {
  const peer = ownerOf(s.remote.ip);
  if (peer === undefined || peer === node) return undefined;
  const local = `${s.local.ip}:${s.local.port}`;
  const remote = `${s.remote.ip}:${s.remote.port}`;
  if (listening.has(s.local.port)) return { from: peer, to: node, key: `${remote}>${local}` };
  return { from: node, to: peer, key: `${local}>${remote}` };
}
