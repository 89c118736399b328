/**
 * A bounded many-producers, one-consumer async queue. Bound: `push` resolves
 * at once while fewer than `capacity` items wait, and otherwise only when the
 * consumer took one, so a producer that awaits it stops reading its source
 * (the engine's socket then applies TCP backpressure) instead of memory
 * growing. `close()` ends the consumer's loop after the queued items.
 */
export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private readonly spaceWaiters: Array<() => void> = [];
  private itemWaiter: (() => void) | undefined;
  private closed = false;

  constructor(private readonly capacity = 1024) {}

  get length(): number {
    return this.items.length;
  }

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((r) => this.spaceWaiters.push(r));
    if (this.closed) return;
    this.items.push(item);
    this.wakeConsumer();
  }

  close(): void {
    this.closed = true;
    this.wakeConsumer();
    for (const w of this.spaceWaiters.splice(0)) w();
  }

  private wakeConsumer(): void {
    const w = this.itemWaiter;
    this.itemWaiter = undefined;
    w?.();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length) {
        const item = this.items.shift()!;
        this.spaceWaiters.shift()?.();
        yield item;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.itemWaiter = r));
    }
  }
}
