/**
 * Reads a network namespace's TCP sockets from /proc/<pid>/net/tcp and tcp6
 * (the tables of the namespace the process lives in: a container's, when the
 * pid is the container's main process from inspect's State.Pid). Only works
 * when the engine runs on this host; the caller says so when it does not.
 * Shared by the topology's TCP source (new connections between containers)
 * and the idle lifecycle (open connections to a container's listening ports).
 *
 * Format: one socket per line, `sl local rem st ...`, addresses as hex words
 * in host byte order (`0100007F:1F90` is 127.0.0.1:8080 on little-endian
 * hosts), ports as big-endian hex, state as hex (0A = LISTEN, 06 = TIME_WAIT).
 */
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

export interface SocketAddr {
  ip: string;
  port: number;
}

export interface TcpSocket {
  local: SocketAddr;
  remote: SocketAddr;
  state: TcpState;
}

const STATES = ['', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'] as const;
export type TcpState = (typeof STATES)[number] | 'UNKNOWN';

const LITTLE = endianness() === 'LE';

/** One 8-hex-digit word of /proc's address as 4 bytes in network order. */
function wordBytes(hex: string, little: boolean): number[] {
  const b = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return little ? b.reverse() : b;
}

/** /proc's hex address (8 digits for IPv4, 32 for IPv6) as text; IPv4-mapped IPv6 as dotted IPv4. */
export function decodeAddress(hex: string, little = LITTLE): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < hex.length; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8), little));
  if (bytes.length === 4) return bytes.join('.');
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return canonicalIpv6(groups.join(':'));
}

/** The canonical (compressed, lower-case) text of an IPv6 address, as the engine prints it. */
export function canonicalIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

function decodeEndpoint(text: string | undefined, little: boolean): SocketAddr | undefined {
  const [addr, port] = (text ?? '').split(':');
  const ip = addr ? decodeAddress(addr, little) : undefined;
  if (ip === undefined || !port || !/^[0-9A-Fa-f]{4}$/.test(port)) return undefined;
  return { ip, port: parseInt(port, 16) };
}

/** Parses one table; lines that do not parse (the header, garbage) are skipped. */
export function parseProcNetTcp(text: string, little = LITTLE): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^\d+:$/.test(f[0] ?? '')) continue;
    const local = decodeEndpoint(f[1], little);
    const remote = decodeEndpoint(f[2], little);
    if (!local || !remote || !/^[0-9A-Fa-f]{2}$/.test(f[3] ?? '')) continue;
    out.push({ local, remote, state: STATES[parseInt(f[3]!, 16)] ?? 'UNKNOWN' });
  }
  return out;
}

/** A connection to a listening port of the namespace: the port, and the peer's end. */
export interface Inbound {
  port: number;
  peer: SocketAddr;
}

/**
 * The ESTABLISHED connections whose local port is one the namespace listens on
 * (a client's session to its server). The client's end of a connection made
 * inside the namespace to its own port (a healthcheck over 127.0.0.1) has an
 * ephemeral local port, not a listening one, so each connection counts once.
 */
export function inboundConnections(sockets: TcpSocket[]): Inbound[] {
  const listening = new Set(sockets.filter((s) => s.state === 'LISTEN').map((s) => s.local.port));
  return sockets.filter((s) => s.state === 'ESTABLISHED' && listening.has(s.local.port)).map((s) => ({ port: s.local.port, peer: s.remote }));
}

/** Both tables of a process's namespace. A missing tcp6 (IPv6 off) is an empty table; other errors are thrown. */
export async function readSockets(pid: number, procRoot = '/proc'): Promise<TcpSocket[]> {
  const v4 = await readFile(`${procRoot}/${pid}/net/tcp`, 'utf8');
  const v6 = await readFile(`${procRoot}/${pid}/net/tcp6`, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  return [...parseProcNetTcp(v4), ...parseProcNetTcp(v6)];
}

/**
 * The namespace's count of TCP connections ever opened, both ways
 * (ActiveOpens + PassiveOpens of the `Tcp:` line in /proc/<pid>/net/snmp;
 * shared by IPv4 and IPv6). Reading it costs a few microseconds, where the
 * socket tables cost milliseconds (the kernel walks its whole hash table), so
 * it says when the tables are worth reading. Undefined when it does not parse.
 */
export function parseTcpOpens(snmp: string): number | undefined {
  const rows = snmp.split('\n').filter((l) => l.startsWith('Tcp:'));
  if (rows.length < 2) return undefined;
  const names = rows[0]!.trim().split(/\s+/);
  const values = rows[1]!.trim().split(/\s+/);
  const active = Number(values[names.indexOf('ActiveOpens')]);
  const passive = Number(values[names.indexOf('PassiveOpens')]);
  return Number.isFinite(active) && Number.isFinite(passive) ? active + passive : undefined;
}

export async function readTcpOpens(pid: number, procRoot = '/proc'): Promise<number | undefined> {
  return parseTcpOpens(await readFile(`${procRoot}/${pid}/net/snmp`, 'utf8'));
}
