/**
 * Merges several async iterables by arrival. Breaking out of the merged loop
 * (or an error in one source) returns every source, so their `finally` blocks
 * release sockets at once. At most one pending `next()` per source: memory is
 * bounded by the number of sources.
 */
export async function* mergeByArrival<T>(sources: AsyncIterable<T>[]): AsyncGenerator<T> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<T> }>>();
  const pull = (i: number) =>
    pending.set(
      i,
      its[i]!.next().then((r) => ({ i, r })),
    );
  its.forEach((_, i) => pull(i));
  try {
    while (pending.size) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done) {
        pending.delete(i);
        continue;
      }
      pull(i);
      yield r.value;
    }
  } finally {
    await Promise.allSettled(its.map((it, i) => (pending.has(i) ? it.return?.() : undefined)));
  }
}
