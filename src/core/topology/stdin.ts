/**
 * Records on stdin that drive the topology, one JSON object a line:
 *   {"edge":"api->redis"}                 one event on the edge api -> redis
 *   {"from":"api","to":"redis","count":3} three events on that edge
 *   {"node":"worker"}                     one event on a node (`count` allowed too)
 * `count` defaults to 1 and must be a whole number from 1 to 1,000,000.
 * Anything else (text, other JSON, a bad count) is a bad line: reported once
 * on stderr with its line number and skipped; the stream keeps flowing.
 */
import { readInputLines, type InputLine } from '../stream/input.js';

export const MAX_INPUT_COUNT = 1_000_000;
export const MAX_ID_LENGTH = 128;

export type TopologyInput = { kind: 'edge'; from: string; to: string; count: number } | { kind: 'node'; id: string; count: number };

export type Parsed = { ok: true; input: TopologyInput } | { ok: false; why: string };

const bad = (why: string): Parsed => ({ ok: false, why });

function id(v: unknown, field: string): string | { why: string } {
  if (typeof v !== 'string' || !v.trim()) return { why: `"${field}" must be a non-empty string` };
  if (v.length > MAX_ID_LENGTH) return { why: `"${field}" is longer than ${MAX_ID_LENGTH} characters` };
  return v.trim();
}

function count(v: unknown): number | { why: string } {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_INPUT_COUNT) {
    return { why: `"count" must be a whole number from 1 to ${MAX_INPUT_COUNT} (got: ${JSON.stringify(v)})` };
  }
  return v;
}

function ends(rec: Record<string, unknown>): [unknown, unknown] | undefined {
  if (rec.edge !== undefined) {
    if (typeof rec.edge !== 'string' || !rec.edge.includes('->')) return undefined;
    const i = rec.edge.indexOf('->');
    return [rec.edge.slice(0, i), rec.edge.slice(i + 2)];
  }
  return [rec.from, rec.to];
}

/** Parses one record; `why` says what is wrong in words a person can act on. */
export function parseTopologyRecord(rec: Record<string, unknown>): Parsed {
  const n = count(rec.count);
  if (typeof n !== 'number') return bad(n.why);
  if (rec.edge === undefined && rec.from === undefined && rec.to === undefined) {
    if (rec.node === undefined) return bad('expected {"edge":"a->b"}, {"from":"a","to":"b"} or {"node":"a"}');
    const node = id(rec.node, 'node');
    return typeof node === 'string' ? { ok: true, input: { kind: 'node', id: node, count: n } } : bad(node.why);
  }
  const pair = ends(rec);
  if (!pair) return bad(`"edge" must look like "a->b" (got: ${JSON.stringify(rec.edge)})`);
  const from = id(pair[0], rec.edge !== undefined ? 'edge' : 'from');
  const to = id(pair[1], rec.edge !== undefined ? 'edge' : 'to');
  if (typeof from !== 'string') return bad(from.why);
  if (typeof to !== 'string') return bad(to.why);
  return { ok: true, input: { kind: 'edge', from, to, count: n } };
}

export function parseTopologyLine(line: InputLine): Parsed {
  if (line.kind === 'record') return parseTopologyRecord(line.record);
  if (line.jsonError) return bad(`not valid JSON: ${line.jsonError}`);
  if (!line.text.trim()) return bad('empty line');
  return bad('expected a JSON record like {"edge":"a->b"}');
}

/** Reports bad lines one by one, up to `limit`; then one last line says the rest are skipped silently. */
export function badLineReporter(warn: (msg: string) => void, limit = 20): (lineNo: number, why: string) => void {
  let n = 0;
  return (lineNo, why) => {
    n++;
    if (n <= limit) warn(`stdin line ${lineNo}: ${why}; skipped`);
    if (n === limit + 1) warn(`stdin: more bad lines; skipping them without a report`);
  };
}

/** The topology inputs on a byte stream; bad lines go to `onBad` and are skipped. Empty lines are ignored. */
export async function* readTopologyInput(source: AsyncIterable<Buffer | string>, onBad: (lineNo: number, why: string) => void): AsyncGenerator<TopologyInput> {
  for await (const line of readInputLines(source, 64 * 1024)) {
    if (line.kind === 'text' && !line.text.trim()) continue;
    const p = parseTopologyLine(line);
    if (p.ok) yield p.input;
    else onBad(line.lineNo, p.why);
  }
}
