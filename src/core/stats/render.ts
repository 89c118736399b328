/**
 * Stats as tables: the docker-like table printed once (`--no-stream`) or once
 * per interval (`--format table` when piped), and the live TTY frame redrawn
 * in place, with sparklines of each container's history.
 */
import type { ChalkInstance } from 'chalk';
import { renderTable } from '../output/table.js';
import type { StatsSample } from './compute.js';
import type { StatsHistory } from './history.js';
import { sparkline } from './sparkline.js';
import { bytesSize, percent, rateSize } from './human-size.js';

export interface StatsRow {
  key: string;
  name: string;
  /** None for a stopped member of the selection: its row says `stopped`, then `--`. */
  sample?: StatsSample;
}

const HEAD = ['NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET RX/s', 'NET TX/s', 'BLOCK R/s', 'BLOCK W/s', 'PIDS'];
const ALIGN: ('left' | 'right')[] = ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'];

export function rowCells(name: string, s: StatsSample | undefined): string[] {
  if (!s) return [name, 'stopped', ...HEAD.slice(2).map(() => '--')];
  return [
    name,
    percent(s.cpuPercent),
    `${bytesSize(s.memUsage)} / ${bytesSize(s.memLimit)}`,
    percent(s.memPercent),
    rateSize(s.netRxRate),
    rateSize(s.netTxRate),
    rateSize(s.blockReadRate),
    rateSize(s.blockWriteRate),
    String(s.pids),
  ];
}

export function renderStatsTable(rows: readonly StatsRow[]): string {
  return renderTable(
    HEAD,
    rows.map((r) => rowCells(r.name, r.sample)),
    { colAligns: ALIGN },
  );
}

export interface LiveOptions {
  columns: number;
  rows: number;
  chalk: ChalkInstance;
  /** The sparkline width can not exceed the history kept. */
  history: number;
}

/** Each of the three sparklines gets this share of the width left after the numbers. */
function sparkWidth(tableWidth: number, o: LiveOptions): number {
  const room = Math.floor((o.columns - tableWidth - 3 * 3) / 3);
  return Math.max(0, Math.min(o.history, room));
}

/** One frame of the live view: the table with CPU, MEM and NET sparklines, cut to the terminal's size. */
export function renderLiveFrame(rows: readonly StatsRow[], history: StatsHistory, o: LiveOptions): string {
  const base = renderStatsTable(rows)
    .split('\n')
    .filter((l) => l.length);
  const width = Math.max(...base.map((l) => l.length));
  const w = sparkWidth(width, o);
  const lines = base.map((l, i) => {
    const padded = l.padEnd(width);
    if (w < 4) return padded;
    if (i === 0) return `${o.chalk.bold(padded)}   ${'CPU'.padEnd(w)}   ${'MEM'.padEnd(w)}   ${'NET'.padEnd(w)}`.trimEnd();
    const key = rows[i - 1]!.key;
    const spark = (v: number[], fromMin = false) => o.chalk.cyan(sparkline(v, w, { fromMin }));
    return `${padded}   ${spark(history.series(key, 'cpuPercent'))}   ${spark(history.series(key, 'memUsage'), true)}   ${spark(history.netSeries(key))}`;
  });
  const maxLines = Math.max(1, o.rows - 1);
  const shown = lines.slice(0, maxLines).map((l) => cut(l, o.columns));
  return shown.join('\x1b[K\n') + '\x1b[K\n\x1b[J';
}

/** Cuts a line to the terminal width when it has no colour codes (lines with colour are kept whole: sparklines fit by construction). */
function cut(line: string, columns: number): string {
  return line.includes('\x1b') ? line : line.slice(0, columns);
}
