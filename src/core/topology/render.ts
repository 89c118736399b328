/**
 * The live picture of a topology snapshot, as text lines (pure: the terminal
 * handling is in live-view.ts). Nodes are boxes in rows (a node's row is the
 * length of the longest path of edges into it, so callers sit above what they
 * call); each edge is an arrow whose track carries one dot per real event of
 * the last tick (at most MAX_DOTS, staggered so each crosses once during the
 * tick) and a badge with the exact count (`6+` above six, none at zero).
 */
import type { ChalkInstance } from 'chalk';
import type { TopologyEdgeRecord, TopologyNodeRecord, TopologyRecord } from '../records.js';

export const MAX_DOTS = 6;
export const DOT = '●';
export const LEGEND = `${DOT} = real event since last tick`;
const BOX_MIN = 14;
const BOX_MAX = 26;
const TRACK_MIN = 8;

/** The badge for a count: the exact number up to six, `6+` above, nothing at zero. */
export function badgeText(count: number): string {
  if (count <= 0) return '';
  return count > MAX_DOTS ? `${MAX_DOTS}+` : String(count);
}

/**
 * Where the dots are on a track of `width` cells, `elapsedMs` into a tick of
 * `tickMs`: dot i leaves at i * stagger and takes `travel` ms to cross, and
 * the last one arrives as the tick ends. Dots not on the track are left out.
 */
export function dotPositions(count: number, elapsedMs: number, tickMs: number, width: number): number[] {
  const n = Math.min(Math.max(count, 0), MAX_DOTS);
  if (n === 0 || width < 1) return [];
  const travel = tickMs * 0.5;
  const stagger = n > 1 ? (tickMs - travel) / (n - 1) : 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = (elapsedMs - i * stagger) / travel;
    if (p >= 0 && p <= 1) out.push(Math.min(width - 1, Math.floor(p * width)));
  }
  return out;
}

/** Rows of node ids: row = longest path of edges into the node (cycles cut), each row sorted by id. */
export function layoutRows(nodes: readonly { id: string }[], edges: readonly { from: string; to: string }[]): string[][] {
  const depth = new Map(nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of edges) {
      const d = (depth.get(e.from) ?? 0) + 1;
      if (e.from !== e.to && depth.has(e.to) && d > depth.get(e.to)! && d < nodes.length) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows: string[][] = [];
  for (const n of nodes) (rows[depth.get(n.id)!] ??= []).push(n.id);
  return rows.filter(Boolean).map((r) => r.sort((a, b) => a.localeCompare(b)));
}

export interface FrameOptions {
  width: number;
  height: number;
  chalk: ChalkInstance;
  /** Shown in the header, e.g. the project. */
  title: string;
  /** The latest diagnostic, shown under the header. */
  note?: string;
}

function nodeLines(n: TopologyNodeRecord): string[] {
  const state = n.kind === 'input' || n.kind === 'client' ? n.kind : n.running > 0 ? `${n.running} running` : 'stopped';
  const counts = [n.events && `ev ${n.events}`, n.logs && `log ${n.logs}`, n.input && `in ${n.input}`].filter(Boolean).join(' ');
  const sev = [n.error && `E${n.error}`, n.warn && `W${n.warn}`].filter(Boolean).join(' ');
  return [n.id, state, [counts, sev].filter(Boolean).join(' ') || '-'];
}

function boxWidth(lines: string[][]): number {
  return Math.min(BOX_MAX, Math.max(BOX_MIN, ...lines.flat().map((l) => l.length + 4)));
}

const fit = (s: string, w: number) => (s.length > w ? s.slice(0, Math.max(0, w - 1)) + '…' : s.padEnd(w));

function boxRows(row: TopologyNodeRecord[], w: number, c: ChalkInstance): string[] {
  const inner = w - 2;
  const contents = row.map(nodeLines);
  const top = row.map(() => `╭${'─'.repeat(inner)}╮`).join(' ');
  const bottom = row.map(() => `╰${'─'.repeat(inner)}╯`).join(' ');
  const mid = [0, 1, 2].map((i) =>
    contents
      .map((l, j) => {
        const text = fit(l[i]!, inner - 2);
        const styled = i === 0 ? c.bold(text) : i === 2 && row[j]!.error ? c.red(text) : text;
        return `│ ${styled} │`;
      })
      .join(' '),
  );
  return [top, ...mid, bottom];
}

/** Boxes wrapped to the width: several box rows per layout row when they do not fit. */
function drawNodes(s: TopologyRecord, width: number, c: ChalkInstance): string[] {
  const byId = new Map(s.nodes.map((n) => [n.id, n]));
  const w = boxWidth(s.nodes.map(nodeLines));
  const perLine = Math.max(1, Math.floor((width + 1) / (w + 1)));
  const out: string[] = [];
  for (const ids of layoutRows(s.nodes, s.edges)) {
    for (let i = 0; i < ids.length; i += perLine)
      out.push(
        ...boxRows(
          ids.slice(i, i + perLine).map((id) => byId.get(id)!),
          w,
          c,
        ),
      );
  }
  return out;
}

function drawEdge(e: TopologyEdgeRecord, nameW: number, trackW: number, elapsedMs: number, tickMs: number, c: ChalkInstance): string {
  const cells = Array.from({ length: trackW }, () => c.dim('─'));
  for (const p of dotPositions(e.count, elapsedMs, tickMs, trackW)) cells[p] = c.yellow(DOT);
  const b = badgeText(e.count);
  const badge = b ? ' ' + c.inverse(`[${b}]`) : '';
  const kind = c.dim(` ${e.kind}`);
  return `${e.from.padStart(nameW)} ${cells.join('')}${c.dim('▶')} ${e.to}${badge}${kind}`;
}

function header(s: TopologyRecord | undefined, o: FrameOptions): string {
  const c = o.chalk;
  if (!s) return `${c.bold('berth topology')}  ${o.title}  collecting the first tick…`;
  const engine = s.engineUp ? c.green('engine up') : c.red.bold('ENGINE DOWN (zeros until it is back)');
  const tcp = s.sources.tcp ? 'tcp on' : c.yellow('tcp off');
  return `${c.bold('berth topology')}  ${o.title}  tick ${s.tick} (${s.tickMs / 1000}s)  ${engine}  ${tcp}`;
}

/** The whole frame, `elapsedMs` into the tick that shows snapshot `s`; lines are cut to the width and the frame to the height. */
export function renderFrame(s: TopologyRecord | undefined, elapsedMs: number, o: FrameOptions): string[] {
  const lines = [header(s, o), o.note ? o.chalk.yellow(`berth: ${o.note}`) : ''];
  if (s) {
    lines.push(...(s.nodes.length ? drawNodes(s, o.width, o.chalk) : ['(no containers match; waiting for some to appear)']), '');
    const nameW = Math.max(0, ...s.edges.map((e) => e.from.length));
    const rest = Math.max(...s.edges.map((e) => e.to.length + e.kind.length + 8), 0);
    const trackW = Math.max(TRACK_MIN, Math.min(40, o.width - nameW - rest - 3));
    for (const e of s.edges) lines.push(drawEdge(e, nameW, trackW, elapsedMs, s.tickMs, o.chalk));
    if (s.edges.length) lines.push('');
  }
  lines.push(o.chalk.dim(`${LEGEND}   [n] = events on the edge last tick (6+ above six)`));
  return clip(lines, o.width, o.height);
}

/** Keeps the legend: when too tall, the middle is cut and says how many lines were left out. */
function clip(lines: string[], width: number, height: number): string[] {
  let out = lines;
  if (lines.length > height && height >= 3) {
    const keep = height - 2;
    out = [...lines.slice(0, keep), `… ${lines.length - keep - 1} more lines (enlarge the terminal)`, lines[lines.length - 1]!];
  }
  return out.map((l) => cutVisible(l, width));
}

/** Cuts a line with ANSI escapes to `width` visible characters. */
export function cutVisible(line: string, width: number): string {
  let visible = 0;
  let i = 0;
  while (i < line.length) {
    if (line[i] === '\u001b') {
      const m = /^\u001b\[[0-9;]*m/.exec(line.slice(i));
      if (m) {
        i += m[0].length;
        continue;
      }
    }
    if (visible >= width) return line.slice(0, i) + (line.includes('\u001b') ? '\u001b[0m' : '');
    visible++;
    i += line.codePointAt(i)! > 0xffff ? 2 : 1;
  }
  return line;
}
