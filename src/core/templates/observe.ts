/**
 * What one input line means for the miner: the text to cluster, its group,
 * time and level, and the record --annotate extends. Stdin lines are `log`
 * records (from `berth logs --json`: `msg`, `ts`, `level`, grouped by
 * service or container) or plain text (level detected as `berth logs` does;
 * no time unless --follow, where the arrival time is used). Any other JSON
 * object (an application's structured log line) is clustered as the text of
 * its line, which the miner reads for its `msg`/`message` field.
 */
import type { InputLine } from '../stream/input.js';
import type { RecordLevels } from '../logs/record-level.js';
import type { LogLine } from '../logs/line.js';
import { toLogRecord } from '../logs/record.js';
import type { GroupRef } from './template.js';

export const NO_GROUP: GroupRef = { key: '' };

export interface Observation {
  text: string;
  group: GroupRef;
  ts?: string;
  /** As the input record gave it; undefined: detected from the text by the miner. */
  level?: string;
  /** A text line cut at --max-line-bytes. */
  truncated?: boolean;
  /** The record to extend with --annotate; undefined for text (annotated as `{msg}`). */
  record?: Record<string, unknown>;
}

/**
 * Groups by compose service when there is one, else by container name (not
 * id: a recreated container keeps its templates across --state runs).
 * Cached per key so templates share one GroupRef.
 */
export class Groups {
  private readonly known = new Map<string, GroupRef>();

  constructor(private readonly merge: boolean) {}

  of(r: { id?: unknown; name?: unknown; project?: unknown; service?: unknown; engine?: unknown }): GroupRef {
    if (this.merge) return NO_GROUP;
    const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const engine = s(r.engine);
    const service = s(r.service);
    const project = s(r.project);
    const key = service !== undefined ? `s\0${engine ?? ''}\0${project ?? ''}\0${service}` : `c\0${engine ?? ''}\0${s(r.name) ?? s(r.id) ?? ''}`;
    if (key === 'c\0\0') return NO_GROUP;
    let g = this.known.get(key);
    if (!g) {
      g = service !== undefined ? { key, project, service, engine } : { key, id: s(r.id), name: s(r.name), engine };
      for (const k of Object.keys(g) as (keyof GroupRef)[]) if (g[k] === undefined) delete g[k];
      this.known.set(key, g);
    }
    return g;
  }
}

export function fromInput(line: InputLine, groups: Groups, arrival: string | undefined): Observation {
  if (line.kind === 'record') {
    const r = line.record;
    if (r.type === 'log' && typeof r.msg === 'string') {
      const level = typeof r.level === 'string' ? r.level : undefined;
      return { text: r.msg, group: groups.of(r), ts: typeof r.ts === 'string' ? r.ts : arrival, level, record: r };
    }
    return { text: line.raw, group: NO_GROUP, ts: arrival, record: r };
  }
  return line.truncated ? { text: line.text, group: NO_GROUP, ts: arrival, truncated: true } : { text: line.text, group: NO_GROUP, ts: arrival };
}

/**
 * A container's log line, grouped (and, with `levels` for --annotate, recorded) as its `log` record
 * would be: its level is the one `berth logs` gives it, a continuation line's that of its record.
 */
export function fromLogLine(line: LogLine, groups: Groups, engine: string | undefined, levels: RecordLevels | undefined): Observation {
  const t = line.target;
  const group = groups.of({ id: t.id, name: t.name, project: t.project, service: t.service, engine });
  const o: Observation = { text: line.msg, group, ts: line.ts };
  if (levels === undefined) return o;
  const level = levels.level(`${t.id}/${line.stream}`, line.msg);
  o.level = level;
  o.record = toLogRecord(line, level, engine) as unknown as Record<string, unknown>;
  return o;
}
