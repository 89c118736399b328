/**
 * TCP connections from the kernel's own connection events (netfilter's
 * conntrack, read through Debian's `conntrack -E` tool over netlink), so that
 * every connection counts, however short and however it ends: a TLS session
 * closed with a reset leaves no TIME_WAIT entry for a socket-table poll to
 * find, but its conntrack entry still passes through ESTABLISHED.
 *
 * A connection counts once, when its entry first reaches ESTABLISHED (a
 * refused SYN never does), between two known nodes (`ownerOf` the original
 * direction's source and destination addresses; the destination is the
 * server). Traffic between containers on one bridge passes through the host's
 * netfilter only while `net.bridge.bridge-nf-call-iptables` is 1, as the
 * engine sets it; otherwise this source is not used (the caller falls back to
 * polling /proc).
 *
 * Bound: at most MAX_PENDING entries are remembered between NEW and
 * ESTABLISHED or DESTROY, and as many counted ones until their DESTROY (the
 * oldest is dropped first, said once); each connection is handed on as its
 * event arrives.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewConnection } from './connections.js';

export const MAX_PENDING = 65_536;
const RETRY_MS = 250;
/** The host's own loopback traffic: never between containers. */
const LOOPBACK = /^(127\.|::1$)/;
export const BRIDGE_NF = '/proc/sys/net/bridge/bridge-nf-call-iptables';
/** The netlink receive buffer asked of the kernel, so bursts are not dropped (ENOBUFS). */
const BUFFER_BYTES = 32 * 1024 * 1024;

export interface ConntrackEvent {
  kind: 'NEW' | 'UPDATE' | 'DESTROY';
  state: string | undefined;
  /** The original direction's 4-tuple: the client's address and port, then the server's. */
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

const EVENT = /^\s*\[(NEW|UPDATE|DESTROY)\]\s+tcp\s+\d+\s+(?:\d+\s+)?([A-Z_]+\s+)?src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+)/;

/** Pure: one line of `conntrack -E -p tcp` output, or undefined for anything else. */
export function parseConntrackLine(line: string): ConntrackEvent | undefined {
  const m = EVENT.exec(line);
  if (!m) return undefined;
  return { kind: m[1] as ConntrackEvent['kind'], state: m[2]?.trim() || undefined, src: m[3]!, dst: m[4]!, sport: Number(m[5]), dport: Number(m[6]) };
}

/** How long an established connection with an end not yet known waits for it (a container just started is inspected after its first packets). */
export const RESOLVE_MS = 10_000;

/** Pure: turns conntrack events into connections between nodes, each counted once at ESTABLISHED. */
export class EstablishedCounter {
  /** Entries seen and not yet counted or destroyed, by tuple (insertion order = age). */
  private readonly pending = new Set<string>();
  /** Entries counted and not yet destroyed. */
  private readonly counted = new Set<string>();
  /** Established entries whose ends were not both known yet, with when they were seen (ms). */
  private readonly unresolved = new Map<string, { e: ConntrackEvent; at: number }>();
  overflow = false;

  feed(e: ConntrackEvent, ownerOf: (ip: string) => string | undefined, now = 0): NewConnection | undefined {
    const key = `${e.src}:${e.sport}>${e.dst}:${e.dport}`;
    if (e.kind === 'DESTROY') {
      this.pending.delete(key);
      this.counted.delete(key);
      // A connection that ended before its ends were known still happened: it keeps waiting for them.
      return undefined;
    }
    if (this.counted.has(key) || this.unresolved.has(key) || LOOPBACK.test(e.src)) return undefined;
    if (e.state !== 'ESTABLISHED') {
      this.remember(this.pending, key);
      return undefined;
    }
    this.pending.delete(key);
    const c = this.resolve(key, e, ownerOf);
    if (c === 'unknown') {
      this.unresolved.set(key, { e, at: now });
      if (this.unresolved.size > MAX_PENDING) this.unresolved.delete(this.unresolved.keys().next().value!);
      return undefined;
    }
    return c;
  }

  /** Connections whose ends became known since; those waiting longer than RESOLVE_MS are dropped. */
  retry(ownerOf: (ip: string) => string | undefined, now: number): NewConnection[] {
    const out: NewConnection[] = [];
    for (const [key, w] of this.unresolved) {
      const c = this.resolve(key, w.e, ownerOf);
      if (c === 'unknown' && now - w.at < RESOLVE_MS) continue;
      this.unresolved.delete(key);
      if (c && c !== 'unknown') out.push(c);
    }
    return out;
  }

  get waiting(): number {
    return this.unresolved.size;
  }

  private resolve(key: string, e: ConntrackEvent, ownerOf: (ip: string) => string | undefined): NewConnection | 'unknown' | undefined {
    const from = ownerOf(e.src);
    const to = ownerOf(e.dst);
    if (from === undefined || to === undefined) return 'unknown';
    if (from === to) return undefined;
    this.remember(this.counted, key);
    return { from, to };
  }

  private remember(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size <= MAX_PENDING) return;
    this.overflow = true;
    set.delete(set.values().next().value!);
  }
}

/**
 * Why conntrack cannot be the source here, or undefined when it can: bridged
 * traffic passes the host's netfilter, and the members' IPv4 addresses lie on
 * this network namespace's own interfaces (an engine in another namespace, or
 * an overlay network, has bridges this host's conntrack never sees).
 */
export async function conntrackUnavailable(memberIps: string[], nets = localNets()): Promise<string | undefined> {
  const v = await readFile(BRIDGE_NF, 'utf8').catch(() => undefined);
  if (v === undefined) return `${BRIDGE_NF} is missing (br_netfilter is not loaded), so traffic between containers on a bridge bypasses conntrack`;
  if (v.trim() !== '1') return `${BRIDGE_NF} is ${v.trim()}, so traffic between containers on a bridge bypasses conntrack`;
  const away = memberIps.filter((ip) => ip.includes('.') && !nets.some((n) => onNet(ip, n)));
  if (away.length) return `${away[0]} is on a network whose bridge is not in this network namespace`;
  return undefined;
}

interface Net {
  address: string;
  netmask: string;
}

function localNets(): Net[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((i): i is NetworkInterfaceInfo => !!i && i.family === 'IPv4' && !i.internal);
}

const v4 = (ip: string) => ip.split('.').reduce((n, p) => (n << 8) | Number(p), 0) >>> 0;

/** Pure: whether an IPv4 address is on an interface's network. */
export function onNet(ip: string, n: Net): boolean {
  const mask = v4(n.netmask);
  return (v4(ip) & mask) >>> 0 === (v4(n.address) & mask) >>> 0;
}

export interface ConntrackOptions {
  ownerOf: (ip: string) => string | undefined;
  warn: (msg: string) => void;
  /** The tool (tests point it elsewhere); default `conntrack` on PATH. */
  bin?: string;
  /** Called once the tool is listening (its first line on stderr, or its first event). */
  onListening?: () => void;
}

/**
 * New connections, from the kernel's events, as they happen, until the
 * signal. Throws when the tool cannot be run or stops: the caller falls back
 * to polling and says so.
 */
export async function* conntrackConnections(o: ConntrackOptions, signal: AbortSignal): AsyncGenerator<NewConnection[]> {
  const child = spawn(o.bin ?? 'conntrack', ['-E', '-p', 'tcp', '-b', String(BUFFER_BYTES)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const counter = new EstablishedCounter();
  let stderr = '';
  let listening = false;
  let warnedOverflow = false;
  const listen = () => {
    if (listening) return;
    listening = true;
    o.onListening?.();
  };
  const failed = new Promise<never>((_, reject) => child.once('error', reject));
  failed.catch(() => {});
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-2000);
    // With -b the tool says it set the buffer once its netlink socket is open: events flow from then on.
    if (/NOTICE/.test(d)) listen();
    if (/ENOBUFS/.test(d)) o.warn('the kernel dropped connection events (netlink buffer full): some connections were not counted');
  });
  const kill = () => child.kill('SIGTERM');
  signal.addEventListener('abort', kill, { once: true });
  try {
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    let next = lines.next();
    // While connections wait for their ends to be known, they are looked at again every RETRY_MS: on a
    // line when one is due, and by a timer when the tool is quiet (one timer at a time, not one per line).
    let tick: Promise<'tick'> | undefined;
    let retried = Date.now();
    for (;;) {
      if (counter.waiting && Date.now() - retried >= RETRY_MS) {
        retried = Date.now();
        const found = counter.retry(o.ownerOf, retried);
        if (found.length) yield found;
      }
      if (counter.waiting) tick ??= sleep(RETRY_MS, 'tick' as const);
      const r = await Promise.race([next, failed, ...(tick ? [tick] : [])]);
      if (r === 'tick') {
        tick = undefined;
        continue;
      }
      if (r.done) break;
      next = lines.next();
      listen();
      const e = parseConntrackLine(r.value);
      const c = e && counter.feed(e, o.ownerOf, Date.now());
      if (counter.overflow && !warnedOverflow) {
        warnedOverflow = true;
        o.warn(`more than ${MAX_PENDING} TCP connections open at once: the oldest are forgotten`);
      }
      if (c) yield [c];
    }
    if (!signal.aborted) {
      const code = child.exitCode ?? (await new Promise((r) => child.once('exit', r)));
      throw new Error(`conntrack stopped (exit ${String(code)}): ${stderr.trim().split('\n').pop() ?? ''}`);
    }
  } finally {
    signal.removeEventListener('abort', kill);
    kill();
  }
}
