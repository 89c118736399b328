/** What a topology watch is given (TopologyOptions) and what its sources share with its tick loop (Shared). */
import type { Engine } from '../engine/engine.js';
import type { Selection } from '../engine/select.js';
import type { WatcherStatus } from '../events/watcher.js';
import type { TickCounters } from './counters.js';
import type { GroupBy, TopologyGraph } from './graph.js';
import type { TopologyMembers } from './members.js';

export interface TopologyOptions {
  sel: Selection;
  by: GroupBy;
  tickMs: number;
  /** Stop after this many snapshots. */
  ticks?: number;
  /** Count TCP connections (engine on this host only). */
  tcp: boolean;
  /** Where they are read: the kernel's events when it can see the members' bridges (`auto`), or /proc polls. */
  tcpSource?: 'auto' | 'proc';
  /** Called once the TCP source is counting (tests wait for it before making connections). */
  onTcpListening?: () => void;
  logs: boolean;
  stdin?: AsyncIterable<Buffer | string>;
  /** A running `berth serve` whose proxied requests feed the `client` node. */
  serve?: { url: string; tokenFile?: string };
  warn: (msg: string) => void;
  /** A change of an engine's event stream (several engines: which one). */
  onStatus?: (s: WatcherStatus, engine: Engine) => void;
  pollMs?: number;
  cap?: number;
}

/** Sources write here; the tick loop reads from here. */
export interface Shared {
  graph: TopologyGraph;
  counters: TickCounters;
  members: TopologyMembers;
  /** Set when a failure to reach the engine was seen during the tick (the engine may be back by its end). */
  downInTick: boolean;
  /** The TCP source turned itself off (it cannot read the containers' sockets): `sources.tcp` is false from then on. */
  tcpOff?: boolean;
  /** Which TCP source counts (after it started). */
  tcpSource?: 'conntrack' | 'proc';
}
