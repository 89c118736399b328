/**
 * LogLine -> `log` record (docs/records.md). `logJson` builds the NDJSON text
 * directly: the container's fields are JSON-encoded once per container and
 * reused, so a line costs one JSON.stringify of its message. It produces
 * exactly `JSON.stringify(toLogRecord(...))` (tested).
 */
import { GROUP_KEYS, putGroup } from '../engine/labels.js';
import type { Target } from '../engine/select.js';
import type { LogRecord } from '../records.js';
import type { LogLine } from './line.js';
import type { Level } from './severity.js';

export function toLogRecord(line: LogLine, level: Level, engine?: string): LogRecord {
  const t = line.target;
  const rec = { type: 'log', ts: line.ts, id: t.id, name: t.name } as LogRecord;
  putGroup(rec as unknown as Record<string, unknown>, t);
  if (engine !== undefined) rec.engine = engine;
  Object.assign(rec, { stream: line.stream, level, msg: line.msg });
  if (line.truncated) rec.truncated = true;
  return rec;
}

const middles = new WeakMap<Target, { engine: string | undefined; text: string }>();

function middle(t: Target, engine: string | undefined): string {
  const hit = middles.get(t);
  if (hit !== undefined && hit.engine === engine) return hit.text;
  {
    let m = `,"id":${JSON.stringify(t.id)},"name":${JSON.stringify(t.name)}`;
    for (const k of GROUP_KEYS) if (t[k] !== undefined) m += `,"${k}":${JSON.stringify(t[k])}`;
    if (engine !== undefined) m += `,"engine":${JSON.stringify(engine)}`;
    middles.set(t, { engine, text: m });
    return m;
  }
}

/** The record as one NDJSON line (with its newline). */
export function logJson(line: LogLine, level: Level, engine?: string): string {
  return (
    `{"type":"log","ts":"${line.ts}"${middle(line.target, engine)},"stream":"${line.stream}","level":"${level}","msg":${JSON.stringify(line.msg)}` + (line.truncated ? ',"truncated":true}\n' : '}\n')
  );
}
