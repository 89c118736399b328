/**
 * The TCP source: every `pollMs`, reads the socket tables of each running
 * member (through /proc/<pid>/net, engine on this host only) and reports new
 * connections between nodes. A member whose process is gone is skipped (it
 * just stopped); permission errors turn the source off with one warning.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectionTracker, type NewConnection, type Observation } from './connections.js';
import type { RunningMember } from './members.js';
import { readSockets } from './proc-net.js';

export const DEFAULT_POLL_MS = 500;

export interface TcpSourceOptions {
  members: () => Iterable<RunningMember>;
  ownerOf: (ip: string) => string | undefined;
  pollMs?: number;
  procRoot?: string;
  warn: (msg: string) => void;
}

async function observe(m: RunningMember, procRoot: string | undefined): Promise<Observation | undefined> {
  if (!m.pid) return undefined;
  try {
    return { node: m.node, member: m.target.id, sockets: await readSockets(m.pid, procRoot), fresh: m.fresh };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return undefined;
    throw err;
  }
}

/** Batches of new connections, one per poll that found any. Ends (after a warning) when /proc cannot be read. */
export async function* newConnections(o: TcpSourceOptions, signal: AbortSignal): AsyncGenerator<NewConnection[]> {
  const tracker = new ConnectionTracker();
  let warnedOverflow = false;
  while (!signal.aborted) {
    let seen: Observation[];
    try {
      const all = await Promise.all([...o.members()].map((m) => observe(m, o.procRoot)));
      seen = all.filter((x): x is Observation => !!x);
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
