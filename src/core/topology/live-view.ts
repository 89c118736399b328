/**
 * The live view on a terminal: the alternate screen, cursor hidden, and a
 * frame redrawn in place about 12 times a second (home, each line followed by
 * erase-to-end-of-line, then erase-below; one write per frame, and none when
 * the frame did not change, so there is no flicker). `close()` restores the
 * terminal (cursor shown, main screen back); call it in `finally`. It also
 * runs on process exit, so a hard exit (a second Ctrl-C) leaves no hidden
 * cursor or alternate screen behind (TTY writes are synchronous).
 */
import type { ChalkInstance } from 'chalk';
import type { Out } from '../output/io.js';
import type { TopologyRecord } from '../records.js';
import { renderFrame } from './render.js';
import { terminalSize } from '../output/format.js';

export const MAX_NOTES = 20;
const ENTER = '\u001b[?1049h\u001b[?25l';
const LEAVE = '\u001b[?25h\u001b[?1049l';
export const FRAME_MS = 80;

export class LiveView {
  private snapshot: TopologyRecord | undefined;
  private tickStart = Date.now();
  private last = '';
  private timer: NodeJS.Timeout | undefined;
  private open = false;
  /** Diagnostics shown under the header while the view is up, and printed on stderr after it closes. Bound: the last MAX_NOTES. */
  readonly notes: string[] = [];

  constructor(
    private readonly out: Out,
    private readonly chalk: ChalkInstance,
    private readonly title: string,
  ) {}

  start(): void {
    this.open = true;
    // A second Ctrl-C exits at once (src/main.ts); the terminal must still come back.
    process.once('exit', this.onExit);
    this.out.write(ENTER);
    this.timer = setInterval(() => this.draw(), FRAME_MS);
    this.out.on?.('resize', this.onResize);
    this.draw();
  }

  /** A new tick: its counts are animated from now until the next one. */
  update(s: TopologyRecord): void {
    this.snapshot = s;
    this.tickStart = Date.now();
    this.draw();
  }

  note(message: string): void {
    this.notes.push(message);
    if (this.notes.length > MAX_NOTES) this.notes.shift();
    this.draw();
  }

  private onResize = () => {
    this.last = '';
    this.draw();
  };

  private draw(): void {
    if (!this.open) return;
    const { columns, rows } = terminalSize(this.out);
    const lines = renderFrame(this.snapshot, Date.now() - this.tickStart, {
      width: columns,
      height: rows,
      chalk: this.chalk,
      title: this.title,
      ...(this.notes.length ? { note: this.notes[this.notes.length - 1] } : {}),
    });
    const frame = '\u001b[H' + lines.join('\u001b[K\n') + '\u001b[K\u001b[J';
    if (frame === this.last) return;
    this.last = frame;
    this.out.write(frame);
  }

  private onExit = () => this.close();

  close(): void {
    process.off('exit', this.onExit);
    if (!this.open) return;
    this.open = false;
    clearInterval(this.timer);
    this.out.off?.('resize', this.onResize);
    this.out.write(LEAVE);
  }
}
