/** One template as the miner keeps it: the cluster plus what the summary reports. */
import type { Cluster } from './drain.js';

/** Who a template belongs to: a container or a compose service, or nobody (text input, --merge). */
export interface GroupRef {
  key: string;
  id?: string;
  name?: string;
  project?: string;
  service?: string;
  engine?: string;
}

export interface Template extends Cluster {
  group: GroupRef;
  count: number;
  firstTs?: string;
  lastTs?: string;
  /** Lines per level (ERROR, WARN, INFO, DEBUG, OTHER); a level may be 0 (a reused template's: read it with `levelCounts`). */
  levels: Record<string, number>;
  /** The first line that made the template, as it came in. */
  example: string;
  /** Not in the state file loaded at start (first seen in this run). */
  isNew: boolean;
  /** `count` when the template was last reported (for --follow's "changed since" ticks). */
  reported: number;
  /** Neighbours in the store's least-recently-matched list. */
  older?: Template;
  newer?: Template;
}

/** The levels a template has lines of (a reused template keeps its earlier levels' keys at 0). */
export function levelCounts(levels: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in levels) if (levels[k]! > 0) out[k] = levels[k]!;
  return out;
}

/** Sets every level count to 0, keeping the object (and its shape) for the next template. */
export function zeroLevels(levels: Record<string, number>): void {
  for (const k in levels) levels[k] = 0;
}

/** A template with every field set, in one order (one object shape for all: see the miner's `make`); new in this run, no lines yet. */
export function newTemplate(id: number, text: string, size: number, group: GroupRef, example: string): Template {
  return {
    id,
    text,
    size,
    starts: undefined,
    leaf: undefined,
    overflow: undefined,
    mark: 0,
    hits: 0,
    params: 0,
    indexed: undefined,
    group,
    count: 0,
    firstTs: undefined,
    lastTs: undefined,
    levels: {},
    example,
    isNew: true,
    reported: 0,
    older: undefined,
    newer: undefined,
  };
}
