/** A sample as the NDJSON `stats` record (docs/records.md): numbers, not strings, rounded to what a reader can use. */
import { putGroup } from '../engine/labels.js';
import type { Target } from '../engine/select.js';
import type { StatsRecord, StoppedStatsRecord } from '../records.js';
import type { StatsSample } from './compute.js';

/** Percentages keep 3 decimals, rates 1 (bytes per second); byte counters are exact. */
const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** A stopped member of the selection: who it is and `stopped`, no numbers (berth prints no zero it did not read). */
export function toStoppedRecord(target: Omit<Target, 'engine'>, ts: string, engineName?: string): StoppedStatsRecord {
  const rec = { type: 'stats', ts, id: target.id, name: target.name } as StoppedStatsRecord;
  putGroup(rec as unknown as Record<string, unknown>, target);
  if (engineName) rec.engine = engineName;
  rec.stopped = true;
  return rec;
}

export function toStatsRecord(target: Omit<Target, 'engine'> & { engine?: { name: string } }, s: StatsSample, engineName?: string): StatsRecord {
  // Made for every reading of every container followed: fields set one by one, in the record's order.
  const rec = { type: 'stats', ts: s.ts, id: target.id, name: target.name } as StatsRecord;
  putGroup(rec as unknown as Record<string, unknown>, target);
  if (engineName) rec.engine = engineName;
  if (s.cpuPercent !== undefined) rec.cpuPercent = round(s.cpuPercent, 3);
  rec.memUsage = s.memUsage;
  rec.memLimit = s.memLimit;
  rec.memPercent = round(s.memPercent, 3);
  rec.netRxBytes = s.netRxBytes;
  rec.netTxBytes = s.netTxBytes;
  if (s.netRxRate !== undefined) rec.netRxRate = round(s.netRxRate, 1);
  if (s.netTxRate !== undefined) rec.netTxRate = round(s.netTxRate, 1);
  rec.blockReadBytes = s.blockReadBytes;
  rec.blockWriteBytes = s.blockWriteBytes;
  if (s.blockReadRate !== undefined) rec.blockReadRate = round(s.blockReadRate, 1);
  if (s.blockWriteRate !== undefined) rec.blockWriteRate = round(s.blockWriteRate, 1);
  rec.pids = s.pids;
  return rec;
}
