/**
 * Idle configuration of one container, from its labels and, optionally, a
 * YAML file (`--config`), the file winning key by key. Every value goes
 * through a typed parser; a bad one is a CONFIG error naming the container,
 * the key, where it came from and the expected form.
 *
 * Defaults (the same in docs/records.md, the man page and here): see DEFAULTS.
 */
import { parseDurationMs, sizeBytes } from '../parse.js';
import { COMPOSE_DEPENDS_ON } from '../engine/labels.js';
import type { StopMethod } from './types.js';

export const LABEL_PREFIX = 'berth.idle.';
export const TIMEOUT_LABEL = 'berth.idle.timeout';
/** Every berth.idle.* key parseIdleConfig reads (a config file naming another one has a typo). */
export const IDLE_KEYS = ['timeout', 'stop_method', 'wake_timeout', 'depends_on', 'min_bytes', 'stop_signal', 'stop_timeout', 'probe', 'busy', 'start_endpoint', 'replicas', 'connections'] as const;

export type DepCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully' | 'ready';

export interface Dependency {
  /** A container name (berth.idle.depends_on) or a compose service of the same project (compose label). */
  ref: string;
  condition: DepCondition;
  /** True when it came from compose's label: `ref` is then a service name. */
  compose: boolean;
}

export type Probe = { kind: 'http'; url: string } | { kind: 'tcp'; host: string; port: number };
export type BusySpec = { kind: 'cpu'; percent: number } | { kind: 'exec'; cmd: string[] };

export interface IdleConfig {
  /** True when the container has berth.idle.timeout (label or file): watch-idle manages it. */
  managed: boolean;
  /** Idle time before sleeping, ms; 0 = never. */
  timeoutMs: number;
  stopMethod: StopMethod;
  /** Signal for stop/kill; undefined = the container's own StopSignal (stop) or SIGKILL (kill). */
  stopSignal?: string;
  /** Seconds the engine waits after the stop signal before SIGKILL; undefined = the container's own. */
  stopTimeoutSec?: number;
  /** How long a wake may wait for readiness, ms. */
  wakeTimeoutMs: number;
  dependsOn: Dependency[];
  probe?: Probe;
  busy?: BusySpec;
  /** `count`: an established connection to one of its listening ports keeps it awake (connections.ts); `ignore`: bytes only. */
  connections: 'count' | 'ignore';
  /** Network bytes (in + out) per sample window that count as activity: more than this. */
  minBytes: number;
  /** Path prefixes allowed to wake the container through `serve`; undefined = any. */
  startEndpoints?: string[];
  /** Swarm services: the replica count a wake scales back to (default: the count it had before it slept). */
  replicas?: number;
  /** A compose container whose dependencies cannot be known (compose v1 without a readable compose file): printed once. */
  depsNote?: string;
}

export const DEFAULTS = {
  timeoutMs: 0,
  stopMethod: 'stop' as StopMethod,
  wakeTimeoutMs: 60_000,
  /** Above background chatter (ARP, IPv6 neighbour discovery at start); below one small HTTP exchange (~1 KiB). */
  minBytes: 512,
  connections: 'count' as 'count' | 'ignore',
} as const;

import { configError, type Source } from '../config/schema.js';
export { configError, type Source };

type Parser<T> = (v: string, fail: (expected: string) => never) => T;

const duration: Parser<number> = (v, fail) => {
  try {
    return parseDurationMs(v);
  } catch {
    return fail('a duration like 30s, 15m, 1h (0 = never)');
  }
};

const SIGNAL_RE = /^(SIG)?[A-Z][A-Z0-9+-]*$|^\d+$/;

/** Parses every berth.idle.* key of a merged label map (file values already laid over labels). */
export function parseIdleConfig(labels: Record<string, string>, src: Source): IdleConfig {
  const get = <T>(key: string, parse: Parser<T>): T | undefined => {
    const raw = labels[LABEL_PREFIX + key];
    if (raw === undefined) return undefined;
    return parse(raw.trim(), (expected) => {
      throw configError(src, LABEL_PREFIX + key, expected, raw);
    });
  };
  const cfg: IdleConfig = {
    managed: labels[TIMEOUT_LABEL] !== undefined,
    timeoutMs: get('timeout', duration) ?? DEFAULTS.timeoutMs,
    stopMethod: get('stop_method', parseStopMethod) ?? DEFAULTS.stopMethod,
    wakeTimeoutMs: get('wake_timeout', duration) ?? DEFAULTS.wakeTimeoutMs,
    dependsOn: [...parseComposeDepends(labels[COMPOSE_DEPENDS_ON]), ...(get('depends_on', parseDependsOn) ?? [])],
    minBytes: get('min_bytes', parseBytes) ?? DEFAULTS.minBytes,
    connections: get('connections', (v, fail) => (v === 'count' || v === 'ignore' ? v : fail('count or ignore'))) ?? DEFAULTS.connections,
  };
  const opt = {
    stopSignal: get('stop_signal', (v, fail) => (SIGNAL_RE.test(v.toUpperCase()) ? v.toUpperCase() : fail('a signal name like SIGTERM or a number'))),
    stopTimeoutSec: get('stop_timeout', (v, fail) => Math.round(duration(v, fail) / 1000)),
    probe: get('probe', parseProbe),
    busy: get('busy', parseBusy),
    startEndpoints: get('start_endpoint', parseEndpoints),
    replicas: get('replicas', (v, fail) => (/^[1-9]\d{0,5}$/.test(v) ? Number(v) : fail('a replica count of 1 or more'))),
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) (cfg as unknown as Record<string, unknown>)[k] = v;
  return cfg;
}

const parseStopMethod: Parser<StopMethod> = (v, fail) => (v === 'stop' || v === 'pause' || v === 'kill' ? v : fail('one of stop, pause, kill'));

const parseBytes: Parser<number> = (v, fail) => sizeBytes(v) ?? fail('a byte count like 0, 512, 10k, 1m');

/** `db, cache:service_healthy`: container names, each with an optional condition (default: ready). */
const parseDependsOn: Parser<Dependency[]> = (v, fail) =>
  splitList(v).map((item) => {
    const [ref, cond = 'ready', extra] = item.split(':');
    if (!ref || extra !== undefined || !isCondition(cond)) {
      return fail('a comma-separated list of NAME or NAME:CONDITION (service_started, service_healthy, service_completed_successfully, ready)');
    }
    return { ref, condition: cond, compose: false };
  });

/** Compose's own label: `db:service_healthy:false,cache:service_started:true`. Unknown conditions read as service_started. */
export function parseComposeDepends(v: string | undefined): Dependency[] {
  if (!v) return [];
  return splitList(v).map((item) => {
    const [ref = '', cond = 'service_started'] = item.split(':');
    return { ref, condition: isCondition(cond) && cond !== 'ready' ? cond : 'service_started', compose: true };
  });
}

const CONDITIONS: readonly string[] = ['service_started', 'service_healthy', 'service_completed_successfully', 'ready'];
const isCondition = (c: string): c is DepCondition => CONDITIONS.includes(c);

const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export const parseProbe: Parser<Probe> = (v, fail) => {
  const expected = 'http://HOST:PORT/PATH, https://… or tcp://HOST:PORT (HOST "container" = the container\'s address)';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return fail(expected);
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'http', url: v };
  const port = Number(url.port);
  if (url.protocol === 'tcp:' && url.hostname && port > 0) return { kind: 'tcp', host: url.hostname, port };
  return fail(expected);
};

export const parseBusy: Parser<BusySpec> = (v, fail) => {
  const cpu = /^cpu\s*>\s*(\d+(?:\.\d+)?)\s*%$/.exec(v);
  if (cpu) return { kind: 'cpu', percent: Number(cpu[1]) };
  if (v.startsWith('exec:')) {
    const cmd = v.slice(5).trim().split(/\s+/).filter(Boolean);
    if (cmd.length) return { kind: 'exec', cmd };
  }
  return fail('cpu>N% (e.g. cpu>5%) or exec:COMMAND (exit 0 = busy)');
};

const parseEndpoints: Parser<string[]> = (v, fail) => {
  const list = splitList(v);
  return list.length && list.every((p) => p.startsWith('/')) ? list : fail('a comma-separated list of path prefixes starting with /');
};
