/**
 * The NDJSON record contract (docs/records.md). Every record has `type` and
 * `ts` (RFC 3339, nanoseconds where the engine gives them). Records about a
 * container carry `id` (full), `name`, and `project`/`service` for compose
 * containers, `service`/`stack`/`node`/`task`/`slot` for a swarm task's;
 * with several engines, `engine` names the one it came from.
 */

export interface ContainerRef {
  id: string;
  name?: string;
  /** Compose project. */
  project?: string;
  /** Compose service, or the swarm service of a task's container. */
  service?: string;
  /** Swarm: the stack (com.docker.stack.namespace). */
  stack?: string;
  /** Swarm: the hostname of the node the task's container runs on. */
  node?: string;
  /** Swarm: the task id. */
  task?: string;
  /** Swarm: the task's replica slot (replicated services). */
  slot?: number;
  engine?: string;
}

export interface EventRecord extends Partial<ContainerRef> {
  type: 'event';
  ts: string;
  /** Docker's event Type: container, image, network, volume, plugin, daemon, service, node, secret, config. */
  scope: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
}

/** One stats sample of a container (berth stats); numbers, not strings. Rates and CPU% are absent when there is no previous reading. */
export interface StatsRecord extends ContainerRef {
  type: 'stats';
  ts: string;
  id: string;
  name: string;
  cpuPercent?: number;
  memUsage: number;
  memLimit: number;
  memPercent: number;
  netRxBytes: number;
  netTxBytes: number;
  netRxRate?: number;
  netTxRate?: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  blockReadRate?: number;
  blockWriteRate?: number;
  pids: number;
}

/** A stopped member of a stats selection (`--project`, `--filter`, names): no reading, so no numbers. */
export interface StoppedStatsRecord extends ContainerRef {
  type: 'stats';
  ts: string;
  id: string;
  name: string;
  stopped: true;
}

/**
 * `stats --service`: one service's sums per reading (`scope: "service"`), over the task containers read
 * on the nodes berth reaches; rates and CPU% only when every task read has one.
 */
export interface ServiceStatsRecord extends Pick<
  StatsRecord,
  | 'type'
  | 'ts'
  | 'id'
  | 'name'
  | 'stack'
  | 'cpuPercent'
  | 'memUsage'
  | 'netRxBytes'
  | 'netTxBytes'
  | 'netRxRate'
  | 'netTxRate'
  | 'blockReadBytes'
  | 'blockWriteBytes'
  | 'blockReadRate'
  | 'blockWriteRate'
  | 'pids'
> {
  scope: 'service';
  service: string;
  /** Task containers read for this record. */
  tasks: number;
  /** Tasks the manager says are running. */
  running: number;
  /** Running tasks on nodes berth has no engine for (not read). */
  unread: number;
  /** Those nodes (hostnames), when there are any. */
  unreadOn?: string[];
  /** Replicated services: the desired replica count. */
  replicas?: number;
}

/** One node of a `topology` snapshot: counts are for the tick that just ended. */
export interface TopologyNodeRecord {
  id: string;
  /** `service` or `container` (from the engine), `client` (requests through berth serve), `input` (named only by stdin records). */
  kind: 'service' | 'container' | 'client' | 'input';
  /** Running containers of the node, as last seen (kept while the engine is down). */
  running: number;
  /** A swarm's map (--service, --stack): the swarm nodes (hostnames) its running containers are on. */
  hosts?: string[];
  /** Engine events about the node's containers. */
  events: number;
  /** Log lines of the node's containers, and their split by severity. */
  logs: number;
  error: number;
  warn: number;
  info: number;
  debug: number;
  /** Log lines with no recognisable severity. */
  other: number;
  /** Counted from stdin `{"node":...}` records. */
  input: number;
}

/** One edge of a `topology` snapshot. */
export interface TopologyEdgeRecord {
  from: string;
  to: string;
  /** `depends_on` (declared), `tcp` (seen in traffic), `client` (berth serve), `input` (named only by stdin records). */
  kind: 'depends_on' | 'tcp' | 'client' | 'input';
  /** All real events on the edge this tick: connections + requests + input. */
  count: number;
  /** New TCP connections seen from `from` to `to`. */
  connections: number;
  /** Requests (and TCP connections) proxied by berth serve, on client -> node edges. */
  requests: number;
  /** Counted from stdin edge records. */
  input: number;
}

/** A `topology` snapshot: one per tick, every node and edge present every tick. */
export interface TopologyRecord {
  type: 'topology';
  ts: string;
  /** 1 for the first snapshot, then +1 per tick. */
  tick: number;
  /** The tick length in milliseconds. */
  tickMs: number;
  /** False when the engine (on a swarm: any node's engine) could not be reached during the tick; its counts are then missing. */
  engineUp: boolean;
  project?: string;
  /** --stack: the swarm stack mapped. */
  stack?: string;
  by: 'service' | 'container';
  /**
   * Which sources are feeding counts; `tcp` is false when the engine is not on this host; `tcpFrom` says how
   * connections are read (`conntrack`: the kernel's events, every connection; `proc`: socket-table polls, which
   * miss a connection that opens and ends with a reset between two polls; null before the first or with tcp off);
   * `serve` is true with --serve.
   */
  sources: { events: boolean; logs: boolean; tcp: boolean; tcpFrom: 'conntrack' | 'proc' | null; stdin: boolean; serve: boolean };
  /** Cells that hit the per-cell cap (1000) this tick; 0 normally. */
  clamped: number;
  nodes: TopologyNodeRecord[];
  edges: TopologyEdgeRecord[];
}

/** One log line of a container (berth logs). */
export interface LogRecord extends ContainerRef {
  type: 'log';
  /** The engine's timestamp of the line, RFC 3339 with nanoseconds. */
  ts: string;
  id: string;
  name: string;
  stream: 'stdout' | 'stderr';
  /** Detected severity; OTHER when the line has no recognisable level. */
  level: 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'OTHER';
  msg: string;
  /** Present (true) only when the line was longer than the bound and was cut there. */
  truncated?: true;
}

/** Severity counts, keyed by level. */
export interface LevelCounts {
  ERROR: number;
  WARN: number;
  INFO: number;
  DEBUG: number;
  OTHER: number;
}

/** `berth logs --summary`: one per container, then one with `scope: "all"` and the per-minute series. */
export interface LogSummaryRecord extends Partial<ContainerRef> {
  type: 'summary';
  ts: string;
  scope: 'container' | 'all';
  lines: number;
  counts: LevelCounts;
  /** scope "all" only: the last 60 one-minute buckets that saw lines, oldest first (`minute` is the bucket start). */
  series?: Array<{ minute: string } & LevelCounts>;
}

/** `berth templates`: one log template (summary at the end, changed ones per tick with --follow). */
export interface TemplateRecord extends Partial<ContainerRef> {
  type: 'template';
  /** When the record was written. */
  ts: string;
  /** Stable within a run, and across runs with --state. */
  templateId: number;
  /** The constant words with `<*>` where values vary. */
  template: string;
  /** Lines matched (including earlier runs with --state). */
  count: number;
  /** Share of all lines counted (0..1), in this scope. */
  share: number;
  firstTs?: string;
  lastTs?: string;
  /** Lines per level: ERROR, WARN, INFO, DEBUG, OTHER. */
  levels: Record<string, number>;
  /** The first line that made the template (cut at 1000 characters). */
  example: string;
  /** Present (true) when the template was first seen in this run (not in the --state file). */
  new?: true;
}

// `wake` and `idle` records (berth wake, berth watch-idle, berth serve); core/idle/types.ts re-exports them with the idle contract.
/** Lifecycle states of a managed container. */
export type IdleState = 'napping' | 'starting' | 'ready' | 'error';

/** Kinds of wake progress events, in the order a wake emits them. */
export type WakeEventKind = 'starting' | 'waking_dep' | 'dep_ready' | 'container_woke' | 'waiting_ready' | 'ready' | 'error';

/** One step of a wake; NDJSON record `type:"wake"` (docs/records.md). */
export interface WakeEvent {
  type: 'wake';
  event: WakeEventKind;
  ts: string;
  /** The container being woken (the one the user asked for). */
  container: string;
  /** The dependency concerned, for waking_dep / dep_ready. */
  dep?: string;
  /** On `starting`: the dependencies to wake first, in order. */
  deps?: string[];
  message: string;
  /** serve's SSE only: this event's place among the wake's steps (dependencies first), 1-based. */
  step?: number;
  steps?: number;
  /** serve's SSE only: time left, estimated from this route's previous measured wakes (absent before the first). */
  estimate?: { leftMs: number; fromWakes: number };
}

/** A state transition; NDJSON record `type:"idle"`. */
export interface IdleRecord {
  type: 'idle';
  ts: string;
  container: string;
  id?: string;
  from: IdleState | 'unknown';
  to: IdleState;
  reason: string;
  /**
   * What berth did, when the record is about its own action: `stop`, `pause`,
   * `kill`, `start`; `keep` (a stop was vetoed: busy, in use by a dependent;
   * then from = to) or `would_stop` (--dry-run). Left out for changes berth
   * only observed.
   */
  action?: IdleAction;
}

export type IdleAction = 'stop' | 'pause' | 'kill' | 'start' | 'keep' | 'would_stop';

/** The `wake` record's name in this file's naming. */
export type WakeRecord = WakeEvent;

/** `berth serve`'s own record (its wake and idle records are WakeEvent and IdleRecord, src/core/idle/types.ts). */
export interface ServeRecord {
  type: 'serve';
  ts: string;
  /** listening: the HTTP address is bound; route: one per route at start. */
  event: 'listening' | 'route';
  /** HOST:PORT actually bound (listening). */
  listen?: string;
  /** Which listener (listening): `api` for --api-listen (the wake gate); left out for --listen. */
  listener?: 'api';
  container?: string;
  hosts?: string[];
  /** The container's HTTP port. */
  port?: number;
  tcp?: Array<{ listen: number; upstream: number }>;
  state?: 'napping' | 'starting' | 'ready' | 'error';
}

/** Every record berth writes, keyed by `type`. docs/records.md has a section per type (a test checks). */
export type BerthRecord = EventRecord | StatsRecord | ServiceStatsRecord | TopologyRecord | LogRecord | LogSummaryRecord | TemplateRecord | WakeEvent | IdleRecord | ServeRecord;

export const RECORD_TYPES = ['event', 'stats', 'topology', 'log', 'summary', 'template', 'wake', 'idle', 'serve'] as const satisfies readonly BerthRecord['type'][];

/** Compile-time check that RECORD_TYPES lists every type of the union. */
type Unlisted = Exclude<BerthRecord['type'], (typeof RECORD_TYPES)[number]>;
export const RECORD_TYPES_COMPLETE: [Unlisted] extends [never] ? true : never = true;
