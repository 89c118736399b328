/**
 * A server-sent-events hub for one route's wake events. A new subscriber gets
 * the history of the current wake replayed (bounded: the last `historyLimit`
 * events), then live events. Each subscriber's buffer is its response's
 * socket buffer, bounded by `maxBuffered` bytes: a subscriber past it is
 * dropped (its connection closed), so a slow reader never blocks the wake or
 * grows memory. The number of subscribers is capped across all hubs by a
 * shared budget; past the cap a subscriber is refused with 503.
 * Each event is kept in two forms: as published, for subscribers with the
 * token (access.ts showsDetails), and as `publicView` makes it (wake-view.ts: no dependency
 * names, budgets or error details) for everyone else.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { publicView } from './wake-view.js';

export interface SubscriberBudget {
  max: number;
  count: number;
}

export interface SseOptions {
  historyLimit?: number;
  maxBuffered?: number;
  heartbeatMs?: number;
  /** The form of an event sent to subscribers without details (default: wake-view.ts's). */
  publicView?: (data: unknown) => unknown;
}

export class SseHub {
  /** Frames of the current wake: [detailed, public]. */
  private readonly history: Array<[string, string]> = [];
  /** Subscribers, each with whether it gets the detailed frames. */
  private readonly subs = new Map<ServerResponse, boolean>();
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
    this.publicView = opts.publicView ?? publicView;
  }

  private readonly publicView: (data: unknown) => unknown;

  get size(): number {
    return this.subs.size;
  }

  /** Forgets the history (a new wake begins). */
  reset(): void {
    this.history.length = 0;
  }

  publish(event: string, data: unknown): void {
    const id = this.nextId++;
    const frame = (d: unknown) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(d)}\n\n`;
    const frames: [string, string] = [frame(data), frame(this.publicView(data))];
    this.history.push(frames);
    if (this.history.length > this.historyLimit) this.history.shift();
    for (const [res, detailed] of this.subs) this.send(res, frames[detailed ? 0 : 1]);
  }

  /** A comment line; keeps idle connections (and proxies in between) open. */
  heartbeat(): void {
    for (const res of this.subs.keys()) this.send(res, ': ping\n\n');
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

  /**
   * Answers a subscription: 503 past the cap, else the stream (history, then live), detailed or in its
   * public form. Returns false when refused.
   */
  subscribe(req: IncomingMessage, res: ServerResponse, detailed = true): boolean {
    if (this.budget.count >= this.budget.max) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('too many wake-event subscribers\n');
      return false;
    }
    this.budget.count++;
    this.subs.set(res, detailed);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write('retry: 1000\n\n');
    for (const frames of this.history) res.write(frames[detailed ? 0 : 1]);
    const done = () => this.remove(res);
    req.on('close', done);
    res.on('close', done);
    return true;
  }

  /** Ends every subscription (shutdown). */
  closeAll(): void {
    for (const res of [...this.subs.keys()]) {
      this.remove(res);
      res.end();
    }
  }
}
