/**
 * `--no-stream`: one sample per running container of a selection, from two
 * readings one interval apart taken for all containers (and engines) in
 * parallel, so it costs about one interval whatever the count. Named
 * containers' readings start at once, beside the inspection that names them
 * (the engine's stats endpoint takes names too), saving a round trip.
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import { answered } from '../engine/connect.js';
import { containerRef, listTargets, resolveNames, type Selection, type Target } from '../engine/select.js';
import { linkedController } from '../stream/abort.js';
import type { StatsSample } from './compute.js';
import { sampleOnce, type OnceResult } from './sample.js';

export interface Snapshot {
  target: Target;
  sample: StatsSample;
}

interface Pair {
  target: Target;
  result?: OnceResult;
}

export async function snapshot(engines: Engine[], sel: Selection, intervalMs: number, signal: AbortSignal): Promise<{ samples: Snapshot[]; skipped: Target[] }> {
  const { controller, dispose } = linkedController(signal);
  setMaxListeners(0, controller.signal);
  try {
    const pairs = sel.names.length ? await namedPairs(engines, sel.names, intervalMs, controller.signal) : await listedPairs(engines, sel, intervalMs, controller.signal);
    const samples: Snapshot[] = [];
    const skipped: Target[] = [];
    for (const p of unique(pairs)) {
      if (p.result?.sample) samples.push({ target: p.target, sample: p.result.sample });
      else skipped.push(p.target);
    }
    samples.sort((a, b) => a.target.name.localeCompare(b.target.name));
    return { samples, skipped };
  } finally {
    controller.abort(); // readings still open when an inspection failed
    dispose();
  }
}

/** Each name is sampled on every engine at once, beside the lookups; a name counts on whichever engine has it. */
async function namedPairs(engines: Engine[], names: string[], intervalMs: number, signal: AbortSignal): Promise<Pair[]> {
  const up = engines.filter(answered);
  const readings = new Map(up.map((e) => [e, sampleOnce(e, names.map(containerRef), intervalMs, signal)] as const));
  const found = await resolveNames(engines, names, signal);
  const pairs: Pair[] = [];
  for (const { name, target } of found) {
    const results = await readings.get(target.engine)!;
    pairs.push({ target, result: results[names.indexOf(name)] });
  }
  return pairs;
}

async function listedPairs(engines: Engine[], sel: Selection, intervalMs: number, signal: AbortSignal): Promise<Pair[]> {
  const targets = await listTargets(engines, sel, signal);
  const perEngine = engines.map((e) => targets.filter((t) => t.engine === e && t.running));
  const results = await Promise.all(
    perEngine.map((ts, i) =>
      ts.length
        ? sampleOnce(
            engines[i]!,
            ts.map((t) => t.id),
            intervalMs,
            signal,
          )
        : ([] as OnceResult[]),
    ),
  );
  const pairs: Pair[] = targets.filter((t) => !t.running).map((target) => ({ target }));
  perEngine.forEach((ts, i) => ts.forEach((target, j) => pairs.push({ target, result: results[i]![j] })));
  return pairs;
}

/** A container named twice (by name and by id) is sampled once. */
function unique(pairs: Pair[]): Pair[] {
  const seen = new Set<string>();
  return pairs.filter((p) => !seen.has(p.target.engine.name + p.target.id) && seen.add(p.target.engine.name + p.target.id));
}
