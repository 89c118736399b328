/**
 * A server-sent-events hub for one route's wake events. A new subscriber gets
 * the history of the current wake replayed (bounded: the last `historyLimit`
 * events), then live events. Each subscriber's buffer is its response's
 * socket buffer, bounded by `maxBuffered` bytes: a subscriber past it is
 * dropped (its connection closed), so a slow reader never blocks the wake or
 * grows memory. The number of subscribers is capped across all hubs by a
 * shared budget; past the cap a subscriber is refused with 503.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SubscriberBudget {
  max: number;
  count: number;
}

export interface SseOptions {
  historyLimit?: number;
  maxBuffered?: number;
  heartbeatMs?: number;
}

export class SseHub {
  private readonly history: string[] = [];
  private readonly subs = new Set<ServerResponse>();
  private nextId = 1;
  private readonly historyLimit: number;
  private readonly maxBuffered: number;
  /** Subscribers dropped for reading too slowly. */
  dropped = 0;

  constructor(
    private readonly budget: SubscriberBudget,
    opts: SseOptions = {},
  ) {
    this.historyLimit = opts.historyLimit ?? 200;
    this.maxBuffered = opts.maxBuffered ?? 64 * 1024;
  }

  get size(): number {
    return this.subs.size;
  }

  /** Forgets the history (a new wake begins). */
  reset(): void {
    this.history.length = 0;
  }

  publish(event: string, data: unknown): void {
    const frame = `id: ${this.nextId++}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    this.history.push(frame);
    if (this.history.length > this.historyLimit) this.history.shift();
    for (const res of this.subs) this.send(res, frame);
  }

  /** A comment line; keeps idle connections (and proxies in between) open. */
  heartbeat(): void {
    for (const res of this.subs) this.send(res, ': ping\n\n');
  }

  private send(res: ServerResponse, frame: string): void {
    if (res.writableLength > this.maxBuffered) {
      this.dropped++;
      this.remove(res);
      res.destroy();
      return;
    }
    res.write(frame);
  }

  private remove(res: ServerResponse): void {
    if (this.subs.delete(res)) this.budget.count--;
  }

  /** Answers a subscription: 503 past the cap, else the stream (history, then live). Returns false when refused. */
  subscribe(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.budget.count >= this.budget.max) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('too many wake-event subscribers\n');
      return false;
    }
    this.budget.count++;
    this.subs.add(res);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write('retry: 1000\n\n');
    for (const frame of this.history) res.write(frame);
    const done = () => this.remove(res);
    req.on('close', done);
    res.on('close', done);
    return true;
  }

  /** Ends every subscription (shutdown). */
  closeAll(): void {
    for (const res of [...this.subs]) {
      this.remove(res);
      res.end();
    }
  }
}
