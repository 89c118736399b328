/**
 * `--no-stream`: one sample per running container of a selection, from two
 * readings one interval apart taken for all containers (and engines) in
 * parallel, so it costs about one interval whatever the count.
 */
import type { Engine } from '../engine/engine.js';
import { inspectTarget, listTargets, type Selection, type Target } from '../engine/select.js';
import type { StatsSample } from './compute.js';
import { sampleOnce } from './sample.js';

export interface Snapshot {
  target: Target;
  sample: StatsSample;
}

export async function snapshot(engines: Engine[], sel: Selection, intervalMs: number, signal: AbortSignal): Promise<{ samples: Snapshot[]; skipped: Target[] }> {
  const targets = await selectTargets(engines, sel, signal);
  const running = targets.filter((t) => t.running);
  const perEngine = engines.map((e) => running.filter((t) => t.engine === e));
  const results = await Promise.all(perEngine.map((ts, i) => (ts.length ? sampleOnce(engines[i]!, ts.map((t) => t.id), intervalMs, signal) : [])));
  const samples: Snapshot[] = [];
  const skipped = targets.filter((t) => !t.running);
  perEngine.forEach((ts, i) =>
    ts.forEach((t, j) => {
      const s = results[i]![j]!.sample;
      if (s) samples.push({ target: t, sample: s });
      else skipped.push(t);
    }),
  );
  samples.sort((a, b) => a.target.name.localeCompare(b.target.name));
  return { samples, skipped };
}

/** listTargets, with named containers inspected in parallel rather than one after another (20 names: one round trip, not 20). */
async function selectTargets(engines: Engine[], sel: Selection, signal: AbortSignal): Promise<Target[]> {
  if (!sel.names.length) return listTargets(engines, sel, signal);
  const found = await Promise.all(engines.flatMap((e) => sel.names.map((n) => inspectTarget(e, n, signal))));
  const seen = new Set<string>();
  return found.filter((t) => !seen.has(t.engine.name + t.id) && seen.add(t.engine.name + t.id)).sort((a, b) => a.name.localeCompare(b.name));
}
