/**
 * A bounded hand-off from push-style producers (one follower per container)
 * to one `for await` consumer. `push` returns a promise that waits while more
 * than `highWater` batches are queued, so a slow reader slows the producers
 * instead of growing memory. `close()` ends the iteration after what is queued.
 */
export class BatchQueue<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private closed = false;
  private wake: (() => void) | undefined;
  private space: Array<() => void> = [];

  constructor(private readonly highWater = 64) {}

  push(item: T): Promise<void> | undefined {
    if (this.closed) return undefined;
    this.items.push(item);
    this.wake?.();
    if (this.items.length <= this.highWater) return undefined;
    return new Promise<void>((resolve) => this.space.push(resolve));
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
