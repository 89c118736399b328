/**
 * The TCP source: every `pollMs`, looks at each running member's network
 * namespace (through /proc/<pid>/net, engine on this host only) and reports
 * new connections between nodes. The cheap counter of connections opened
 * (net/snmp) is read every time; the socket tables only when it moved (or on
 * the first look), otherwise the last tables read stand, so an idle project
 * costs microseconds per poll. A member whose process is gone is skipped (it
 * just stopped); permission errors turn the source off with one warning, and
 * so does a member whose process stays missing from /proc for MISSING_POLLS
 * polls while the engine still reports it running with that pid: berth is in
 * another pid namespace than the engine (a container, `unshare -p`), where
 * every count would be a false zero.
 * Memory: one cached table per running member.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionTracker, type NewConnection, type Observation } from './connections.js';
import type { RunningMember } from './members.js';
import { readSockets, readTcpOpens, type TcpSocket } from '../proc-net.js';

export const DEFAULT_POLL_MS = 500;
/** Polls in a row a running member's process may be missing from /proc before the source concludes it cannot see the engine's processes. */
export const MISSING_POLLS = 6;

export interface TcpSourceOptions {
  members: () => Iterable<RunningMember>;
  ownerOf: (ip: string) => string | undefined;
  pollMs?: number;
  procRoot?: string;
  warn: (msg: string) => void;
}

interface Cached {
  pid: number;
  opens: number | undefined;
  sockets: TcpSocket[];
}

/** The member's sockets: the cached table when its open counter did not move, else a fresh read. */
async function sockets(m: RunningMember, cache: Map<string, Cached>, procRoot: string | undefined): Promise<TcpSocket[]> {
  const opens = await readTcpOpens(m.pid, procRoot);
  const had = cache.get(m.target.id);
  if (had && had.pid === m.pid && opens !== undefined && had.opens === opens) return had.sockets;
  const fresh = await readSockets(m.pid, procRoot);
  cache.set(m.target.id, { pid: m.pid, opens, sockets: fresh });
  return fresh;
}

async function observe(m: RunningMember, cache: Map<string, Cached>, procRoot: string | undefined): Promise<Observation | 'missing' | undefined> {
  if (!m.pid) return undefined;
  try {
    return { node: m.node, member: m.target.id, sockets: await sockets(m, cache, procRoot), fresh: m.fresh };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return 'missing';
    throw err;
  }
}

/** Batches of new connections, one per poll that found any. Ends (after a warning) when /proc cannot be read. */
export async function* newConnections(o: TcpSourceOptions, signal: AbortSignal): AsyncGenerator<NewConnection[]> {
  const tracker = new ConnectionTracker();
  const cache = new Map<string, Cached>();
  let warnedOverflow = false;
  /** Per member: its pid and how many polls in a row /proc had no such process. */
  const missing = new Map<string, { pid: number; polls: number }>();
  while (!signal.aborted) {
    let seen: Observation[];
    try {
      const members = [...o.members()];
      for (const id of cache.keys()) if (!members.some((m) => m.target.id === id)) cache.delete(id);
      const all = await Promise.all(members.map((m) => observe(m, cache, o.procRoot)));
      seen = all.filter((x): x is Observation => typeof x === 'object');
      for (const [i, m] of members.entries()) {
        if (all[i] !== 'missing') {
          missing.delete(m.target.id);
          continue;
        }
        const had = missing.get(m.target.id);
        const polls = had && had.pid === m.pid ? had.polls + 1 : 1;
        missing.set(m.target.id, { pid: m.pid, polls });
        if (polls >= MISSING_POLLS) {
          o.warn(
            `TCP connections are not counted: the process of ${m.target.name} (pid ${m.pid}, as the engine reports it) is not in ${o.procRoot ?? '/proc'} here: berth runs in another pid namespace than the engine (a container, unshare -p) or on another host; run it beside the engine`,
          );
          return;
        }
      }
      for (const id of missing.keys()) if (!members.some((m) => m.target.id === id)) missing.delete(id);
    } catch (err) {
      o.warn(`TCP connections are not counted: cannot read ${o.procRoot ?? '/proc'}/<pid>/net/tcp (${(err as Error).message}); run berth as root on the engine's host`);
      return;
    }
    const found = tracker.poll(seen, o.ownerOf);
    if (tracker.overflow && !warnedOverflow) {
      warnedOverflow = true;
      o.warn(`more than 65536 TCP connections at once: the rest are not counted`);
    }
    if (found.length) yield found;
    try {
      await sleep(o.pollMs ?? DEFAULT_POLL_MS, undefined, { signal });
    } catch {
      return;
    }
  }
}
