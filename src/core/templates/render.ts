/** The table a person sees on a TTY: templates by count, with share and level mix. */
import type { ChalkInstance } from 'chalk';
import type { TemplateRecord } from '../records.js';
import { renderTable } from '../output/table.js';

const LEVEL_ORDER = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'OTHER'] as const;
const LEVEL_SHORT: Record<string, string> = { ERROR: 'E', WARN: 'W', INFO: 'I', DEBUG: 'D', OTHER: 'O' };

/** "E3 W1 I20": the level mix, most severe first, zero counts left out. */
export function levelMix(levels: Record<string, number>): string {
  const parts: string[] = [];
  for (const l of LEVEL_ORDER) if (levels[l]) parts.push(`${LEVEL_SHORT[l]}${levels[l]}`);
  for (const [l, n] of Object.entries(levels)) if (!(l in LEVEL_SHORT) && n) parts.push(`${l}:${n}`);
  return parts.join(' ');
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share >= 0.1 ? 0 : 1)}%`;
}

function who(r: TemplateRecord): string {
  return r.service !== undefined ? `${r.project ? r.project + '/' : ''}${r.service}` : (r.name ?? '');
}

/** The summary table; a GROUP column appears when templates come from several containers or services. */
export function templatesTable(records: TemplateRecord[], chalk: ChalkInstance, width = 120): string {
  const groups = new Set(records.map(who));
  const withGroup = groups.size > 1 || (groups.size === 1 && !groups.has(''));
  const head = ['ID', 'COUNT', 'SHARE', 'LEVELS', ...(withGroup ? ['GROUP'] : []), 'TEMPLATE'];
  const rows = records.map((r) => [String(r.templateId) + (r.new ? chalk.green('*') : ''), String(r.count), percent(r.share), levelMix(r.levels), ...(withGroup ? [who(r)] : []), r.template]);
  const fixed = rows.reduce((m, row) => Math.max(m, row.slice(0, -1).join('   ').length), 0) + 3;
  const room = Math.max(20, width - fixed);
  for (const row of rows) row[row.length - 1] = cut(row[row.length - 1]!, room);
  return renderTable(head, rows, { colAligns: ['right', 'right', 'right', 'left', ...(withGroup ? (['left'] as const) : []), 'left'] });
}

function cut(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}
