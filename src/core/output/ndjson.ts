/**
 * The NDJSON sink: one `JSON.stringify(record) + "\n"` per record. Records
 * written in the same turn of the event loop are joined into one write (cheap
 * for bursts, no added latency for a trickle). Backpressure: `write` returns
 * a promise that waits for 'drain' once the stream's buffer is full, so a slow
 * reader slows the source instead of growing memory. A closed pipe (EPIPE)
 * marks the sink closed and calls `onClosed`; it is not an error.
 */
import type { Writable } from 'node:stream';

export class LineWriter {
  private buf = '';
  private scheduled = false;
  private waiting: Promise<void> | undefined;
  closed = false;

  constructor(
    private readonly out: Writable,
    private readonly onClosed: () => void = () => {},
    private readonly highWater = 64 * 1024,
  ) {
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') this.close();
    });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.buf = '';
    this.onClosed();
  }

  /** Queues a line (with its newline). Await the result to respect backpressure. */
  writeLine(line: string): Promise<void> | void {
    if (this.closed) return;
    this.buf += line;
    if (this.buf.length >= this.highWater) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    }
    return this.waiting;
  }

  flush(): Promise<void> | void {
    if (this.closed || this.buf.length === 0) return this.waiting;
    const data = this.buf;
    this.buf = '';
    let ok: boolean;
    try {
      ok = this.out.write(data);
    } catch {
      this.close();
      return;
    }
    if (!ok && !this.waiting) {
      this.waiting = new Promise<void>((resolve) => {
        const done = () => {
          this.out.off('drain', done);
          this.out.off('close', done);
          this.waiting = undefined;
          resolve();
        };
        this.out.on('drain', done);
        this.out.on('close', done);
      });
    }
    return this.waiting;
  }

  /** Flushes what is queued and waits until the stream accepted it. */
  async end(): Promise<void> {
    await this.flush();
    await this.waiting;
  }
}

export class NdjsonSink<T extends object = object> {
  readonly lines: LineWriter;

  constructor(out: Writable, onClosed?: () => void) {
    this.lines = new LineWriter(out, onClosed);
  }

  get closed(): boolean {
    return this.lines.closed;
  }

  write(record: T): Promise<void> | void {
    return this.lines.writeLine(JSON.stringify(record) + '\n');
  }

  end(): Promise<void> {
    return this.lines.end();
  }
}
