/**
 * Timestamp merge of several containers' lines. Each source yields batches
 * in the engine's order for that container (time order, except that a
 * container's stdout and stderr lines stamped microseconds apart may come
 * in the order the engine stored them; that order is kept, as docker logs
 * keeps it). The merge repeatedly takes the earliest head (line.ts
 * `lineOrder`), so across containers the output is in timestamp order, ties
 * across containers by container name, within one in the engine's order. Memory: one batch per source. Batches out are at
 * most one input batch long, so a slow reader slows every source.
 */
import { lineOrder, type LogLine } from './line.js';

interface Head {
  it: AsyncIterator<LogLine[]>;
  batch: LogLine[];
  i: number;
  done: boolean;
}

export async function* mergeByTime(sources: AsyncIterable<LogLine[]>[]): AsyncGenerator<LogLine[]> {
  if (sources.length === 1) return yield* sources[0]!;
  const heads: Head[] = sources.map((s) => ({ it: s[Symbol.asyncIterator](), batch: [], i: 0, done: false }));
  try {
    for (;;) {
      await refill(heads);
      const live = heads.filter((h) => !h.done);
      if (live.length === 0) return;
      yield take(live);
    }
  } finally {
    await Promise.allSettled(heads.map((h) => (h.done ? undefined : h.it.return?.())));
  }
}

/** Waits until every source that is not done has a line to offer. */
async function refill(heads: Head[]): Promise<void> {
  await Promise.all(
    heads.map(async (h) => {
      while (!h.done && h.i >= h.batch.length) {
        const r = await h.it.next();
        if (r.done) h.done = true;
        else {
          h.batch = r.value;
          h.i = 0;
        }
      }
    }),
  );
}

/** Takes lines in time order until one source runs dry (it must be refilled before going on). */
function take(live: Head[]): LogLine[] {
  const out: LogLine[] = [];
  for (;;) {
    let best = live[0]!;
    for (let k = 1; k < live.length; k++) {
      const h = live[k]!;
      if (lineOrder(h.batch[h.i]!, best.batch[best.i]!) < 0) best = h;
    }
    out.push(best.batch[best.i++]!);
    if (best.i >= best.batch.length) return out;
  }
}
