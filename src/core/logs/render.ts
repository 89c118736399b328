/**
 * The human view of log lines (a TTY, or --format table):
 *   name  | 10:51:02.123 WARN  message
 * The container prefix is padded to the longest name seen so far and
 * coloured per container; the level is coloured by severity. --timestamps
 * shows the full RFC 3339 time; --no-prefix drops the name. A cut line ends
 * with a visible marker. Colours follow NO_COLOR / FORCE_COLOR (makeChalk).
 */
import type { ChalkInstance } from 'chalk';
import type { Target } from '../engine/select.js';
import type { LevelCounts } from '../records.js';
import { renderTable } from '../output/table.js';
import type { LogLine } from './line.js';
import { LEVELS, type Level } from './severity.js';
import type { LogAnalytics } from './analytics.js';

export const CUT_MARKER = ' [line cut: longer than the line bound]';

export interface RenderOptions {
  prefix: boolean;
  timestamps: boolean;
  /** Prefix with the engine name too (several engines). */
  engineOf?: (t: Target) => string | undefined;
}

const PALETTE = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'cyanBright', 'magentaBright', 'blueBright', 'greenBright', 'yellowBright'] as const;

export class LineRenderer {
  private width = 0;
  private readonly prefixes = new Map<Target, string>();
  private readonly levels: Record<Level, string>;

  constructor(
    private readonly chalk: ChalkInstance,
    private readonly opts: RenderOptions,
  ) {
    const c = chalk;
    this.levels = { ERROR: c.red.bold('ERROR'), WARN: c.yellow('WARN '), INFO: c.green('INFO '), DEBUG: c.gray('DEBUG'), OTHER: '     ' };
  }

  /** Makes room for these names up front, so the prefix column does not jump. */
  reserve(targets: Target[]): void {
    for (const t of targets) this.width = Math.max(this.width, this.label(t).length);
    this.prefixes.clear();
  }

  line(l: LogLine, level: Level): string {
    const time = this.opts.timestamps ? l.ts : l.ts.slice(11, 23);
    const msg = l.truncated ? l.msg + this.chalk.dim(CUT_MARKER) : l.msg;
    const head = this.opts.prefix ? this.prefix(l.target) : '';
    return `${head}${this.chalk.dim(time)} ${this.levels[level]} ${msg}\n`;
  }

  private label(t: Target): string {
    const e = this.opts.engineOf?.(t);
    return e !== undefined ? `${e}/${t.name}` : t.name;
  }

  private prefix(t: Target): string {
    let p = this.prefixes.get(t);
    if (p !== undefined) return p;
    const label = this.label(t);
    if (label.length > this.width) {
      this.width = label.length;
      this.prefixes.clear();
    }
    p = this.chalk[PALETTE[hash(t.id) % PALETTE.length]!](label.padEnd(this.width)) + ' | ';
    this.prefixes.set(t, p);
    return p;
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(h);
}

/** One line of counts, for the live header: "lines 120  ERROR 3  WARN 7  INFO 100  DEBUG 0  OTHER 10". */
export function countsLine(chalk: ChalkInstance, lines: number, c: LevelCounts): string {
  return `lines ${lines}  ${chalk.red(`ERROR ${c.ERROR}`)}  ${chalk.yellow(`WARN ${c.WARN}`)}  ${chalk.green(`INFO ${c.INFO}`)}  ${chalk.gray(`DEBUG ${c.DEBUG}`)}  OTHER ${c.OTHER}`;
}

/** The --summary tables: counts per container, then the non-empty minutes of the series. */
export function summaryTables(a: LogAnalytics): string {
  const rows = [...a.containers.values()].sort((x, y) => x.target.name.localeCompare(y.target.name));
  const counts = (c: LevelCounts) => LEVELS.map((l) => c[l]);
  const perContainer = renderTable(['CONTAINER', ...LEVELS, 'LINES'], [...rows.map((r) => [r.target.name, ...counts(r.counts), r.lines]), ['(all)', ...counts(a.total), a.lines]], {
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const minutes = a.series.toArray().filter((b) => LEVELS.some((l) => b.counts[l] > 0));
  if (minutes.length === 0) return perContainer;
  const series = renderTable(
    ['MINUTE (UTC)', ...LEVELS],
    minutes.map((b) => [new Date(b.minute * 60_000).toISOString().slice(0, 16).replace('T', ' '), ...counts(b.counts)]),
    { colAligns: ['left', 'right', 'right', 'right', 'right', 'right'] },
  );
  return perContainer + '\n' + series;
}
