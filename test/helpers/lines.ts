/** Reads a child's stdout as lines while it runs, with the local time each arrived. */
import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

export interface TimedLine {
  line: string;
  at: number;
}

export class LineCollector {
  readonly lines: TimedLine[] = [];
  private waiters: Array<() => void> = [];

  constructor(stream: Readable) {
    createInterface({ input: stream }).on('line', (line) => {
      this.lines.push({ line, at: Date.now() });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  json<T = Record<string, unknown>>(): T[] {
    return this.lines.map((l) => JSON.parse(l.line) as T);
  }

  /** Waits until `pred` holds over the lines collected so far. */
  async until(pred: (lines: TimedLine[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.lines)) {
      const left = end - Date.now();
      if (left <= 0)
        throw new Error(
          `timed out waiting; got ${this.lines.length} lines:\n${this.lines
            .map((l) => l.line)
            .join('\n')
            .slice(0, 4000)}`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }
}

/** The records of a finished command's NDJSON stdout, one per line. */
export const ndjsonLines = <T>(stdout: string): T[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);
