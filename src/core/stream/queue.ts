/**
 * A bounded hand-off from push-style producers (a follower per container) to
 * one `for await` consumer. `push` enqueues at once (an item is never dropped
 * or reordered, even when the producer does not await) and returns a promise
 * while more than `highWater` items wait, resolved once the consumer has
 * taken enough; `undefined` otherwise, so the common path allocates nothing.
 * Bound: `highWater` items plus one per producer that awaits its push (a
 * producer that awaits stops reading its source, and the engine's socket then
 * applies TCP backpressure). `close()` ends the iteration after what is queued.
 */
export class BoundedQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private closed = false;
  private wake: (() => void) | undefined;
  private space: Array<() => void> = [];

  constructor(private readonly highWater = 64) {}

  get length(): number {
    return this.items.length;
  }

  push(item: T): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.items.push(item);
    this.wake?.();
    return this.ready();
  }

  /** Resolves once the queue is at or below its high-water mark (undefined when it already is). */
  ready(): Promise<void> | undefined {
    if (this.closed || this.items.length <= this.highWater) return undefined;
    return new Promise<void>((resolve) => this.space.push(resolve));
  }

  close(): void {
    this.closed = true;
    this.wake?.();
    for (const r of this.space.splice(0)) r();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    try {
      for (;;) {
        if (this.items.length) {
          const item = this.items.shift()!;
          if (this.items.length <= this.highWater) for (const r of this.space.splice(0)) r();
          yield item;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}
