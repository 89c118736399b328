/**
 * In use means in use: a container with an established TCP connection to one
 * of its own listening ports is in use, whatever its byte counts say. A quiet
 * open connection is the normal state of a database session, an open
 * transaction, an SSH session or a long query; stopping under it loses work.
 *
 * Read from the container's network namespace (src/core/proc-net.ts):
 * /proc/<State.Pid>/net/tcp{,6} when berth runs on the engine's host (the
 * pid's cgroup names the container, so a pid of another host or pid namespace
 * is never mistaken for it); else `cat /proc/net/tcp /proc/net/tcp6` run in
 * the container through the engine. When neither works the reading says why
 * (a string), and the caller puts it in its record: it is never a silent zero.
 *
 * The decision itself (`connectionsVerdict`) is pure: the connections not
 * excluded (a peer that is one of this process's own pooled sockets, say)
 * counted per port.
 */
import { readFile } from 'node:fs/promises';
import type { Engine } from '../engine/engine.js';
import { execOutput, inspectContainer } from '../engine/containers.js';
import { inboundConnections, parseProcNetTcp, readSockets, type Inbound } from '../proc-net.js';

export type { Inbound };

/** Connections to the unit's listening ports, or why they could not be read. */
export type InboundReading = Inbound[] | string;

export const CONNECTIONS_LABEL = 'berth.idle.connections';

export interface ConnectionsVerdict {
  /** Open connections that count. */
  open: number;
  /** For the record: "1 open connection on port 5432", "no open connections", "connections not checked (why)". */
  why: string;
}

/** Pure: the verdict on a reading; `excluded` peers (ip, port) do not count. */
export function connectionsVerdict(reading: InboundReading, excluded: (ip: string, port: number) => boolean = () => false): ConnectionsVerdict {
  if (typeof reading === 'string') return { open: 0, why: `connections not checked (${reading})` };
  const byPort = new Map<number, number>();
  for (const c of reading) if (!excluded(c.peer.ip, c.peer.port)) byPort.set(c.port, (byPort.get(c.port) ?? 0) + 1);
  const open = [...byPort.values()].reduce((a, n) => a + n, 0);
  if (!open) return { open, why: 'no open connections' };
  const ports = [...byPort.keys()].sort((a, b) => a - b);
  const where = ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.join(', ')}`;
  return { open, why: `${open} open connection${open === 1 ? '' : 's'} on ${where}` };
}

/** A container's inbound connections: its namespace read on this host, else through an exec; else why neither worked. */
export async function readContainerInbound(engine: Engine, id: string, signal?: AbortSignal, procRoot = '/proc'): Promise<InboundReading> {
  let info;
  try {
    info = await inspectContainer(engine, id, signal);
  } catch (err) {
    return `inspect failed: ${firstLine(err)}`;
  }
  if (info.HostConfig?.NetworkMode === 'host') return "host network: its sockets are the host's";
  const pid = info.State?.Pid ?? 0;
  const local = pid > 0 ? await readLocal(info.Id, pid, procRoot) : 'no process';
  if (typeof local !== 'string') return local;
  const viaExec = await readByExec(engine, info.Id, signal);
  return typeof viaExec === 'string' ? `${local}; ${viaExec}` : viaExec;
}

/** The namespace of `pid` on this host, when that pid is the container's (its cgroup names the container id). */
async function readLocal(id: string, pid: number, procRoot: string): Promise<InboundReading> {
  try {
    const cgroup = await readFile(`${procRoot}/${pid}/cgroup`, 'utf8');
    if (!cgroup.includes(id)) return `process ${pid} on this host is not the container's (engine on another host?)`;
    return inboundConnections(await readSockets(pid, procRoot));
  } catch (err) {
    return `cannot read ${procRoot}/${pid}: ${(err as NodeJS.ErrnoException).code ?? firstLine(err)}`;
  }
}

/** The container's own view of its tables, through `cat` in it (a remote engine). */
async function readByExec(engine: Engine, id: string, signal?: AbortSignal): Promise<InboundReading> {
  try {
    const text = await execOutput(engine, id, ['cat', '/proc/net/tcp', '/proc/net/tcp6'], signal);
    if (!/local_address/.test(text)) return `cat /proc/net/tcp in the container failed: ${text.trim().split('\n')[0] || 'no output'}`;
    return inboundConnections(parseProcNetTcp(text));
  } catch (err) {
    return `cat /proc/net/tcp in the container failed: ${firstLine(err)}`;
  }
}

const firstLine = (err: unknown) => String((err as Error)?.message ?? err).split('\n')[0]!;
