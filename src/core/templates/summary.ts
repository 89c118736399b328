/**
 * Templates -> `template` records: the ones that changed since they were last
 * reported, which is the summary at the end (the templates this run saw) and,
 * for --follow, each tick. `share` is the template's count over all lines of its group.
 * `new: true` marks a template reported for the first time in this run and
 * not loaded from the --state file.
 */
import type { TemplateRecord } from '../records.js';
import { levelCounts, type Template } from './template.js';

/**
 * Records for templates whose count moved since they were last reported (new ones included), most
 * frequent first (ties: lower id first). At the end of a run without --follow that is the summary: the
 * templates this run saw; those loaded from --state that it did not see stay in the file, not in the output.
 */
export function changedRecords(templates: Iterable<Template>, ts: string): TemplateRecord[] {
  const all = [...templates];
  const totals = groupTotals(all);
  return all
    .filter((t) => t.count !== t.reported)
    .sort(byCount)
    .map((t) => report(t, ts, totals.get(t.group.key) ?? t.count));
}

const byCount = (a: Template, b: Template) => b.count - a.count || a.id - b.id;

function groupTotals(all: Template[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const t of all) totals.set(t.group.key, (totals.get(t.group.key) ?? 0) + t.count);
  return totals;
}

/**
 * The record for one template; marks it reported. Fields are added one by
 * one in the record's order (no spread of a temporary object per optional
 * field: a summary writes up to `--max-templates` records at once).
 */
export function report(t: Template, ts: string, total: number): TemplateRecord {
  const g = t.group;
  const rec = { type: 'template', ts } as TemplateRecord;
  if (g.id !== undefined) rec.id = g.id;
  if (g.name !== undefined) rec.name = g.name;
  if (g.project !== undefined) rec.project = g.project;
  if (g.service !== undefined) rec.service = g.service;
  if (g.engine !== undefined) rec.engine = g.engine;
  rec.templateId = t.id;
  rec.template = t.text;
  rec.count = t.count;
  rec.share = total > 0 ? Math.round((t.count / total) * 1e4) / 1e4 : 0;
  if (t.firstTs !== undefined) rec.firstTs = t.firstTs;
  if (t.lastTs !== undefined) rec.lastTs = t.lastTs;
  rec.levels = levelCounts(t.levels);
  rec.example = t.example;
  if (t.isNew && t.reported === 0) rec.new = true;
  t.reported = t.count;
  return rec;
}
