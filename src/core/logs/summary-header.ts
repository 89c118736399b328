/**
 * The live counts header for `--follow --summary` on a TTY: the top row of
 * the terminal shows the running severity counts, and the log lines scroll
 * below it (a scroll region, rows 2..N). Redrawn at most every 250 ms, and
 * only when the counts changed; `stop()` gives the terminal its full scroll
 * region back.
 */
import type { Writable } from 'node:stream';
import { terminalSize } from '../output/format.js';

export class LiveHeader {
  private timer: NodeJS.Timeout | undefined;
  private last = '';

  constructor(
    private readonly out: Writable & { rows?: number },
    private readonly text: () => string,
  ) {}

  start(): void {
    const { rows } = terminalSize(this.out);
    this.out.write(`\x1b[2J\x1b[2;${rows}r\x1b[${rows};1H`);
    this.draw();
    this.timer = setInterval(() => this.draw(), 250);
    this.timer.unref();
  }

  private draw(): void {
    const t = this.text();
    if (t === this.last) return;
    this.last = t;
    this.out.write(`\x1b7\x1b[1;1H\x1b[2K${t}\x1b8`);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw();
    this.out.write(`\x1b7\x1b[r\x1b8`);
  }
}
