/**
 * Turns the pieces of one output stream (stdout or stderr of a container)
 * into lines, each with the engine timestamp of the message it began in.
 *
 * With `timestamps=true` every engine message starts with "<ts> ". A message
 * is one frame for multiplexed streams (`push(piece, start=true)` at a frame
 * start); docker splits lines longer than 16 KiB into several messages, each
 * with its own prefix, so prefixes are stripped at every message start and
 * the pieces joined back into one line. For TTY streams (no frames) a message
 * starts after every newline, and after every 16 KiB of a longer line
 * (`lineStartsMessage`).
 *
 * Bounds: a timestamp prefix is at most 40 bytes (longer means it was not
 * one: the bytes are kept as text); a line is at most `maxBytes` (LineSplitter
 * cuts it and marks it truncated).
 */
import { Line, LineSplitter } from '../stream/lines.js';
import { isFixedTs, normalizeTs } from './timestamp.js';

const MAX_PREFIX = 40;
/** docker's log copier buffer: a longer line is logged in messages of this many bytes. */
export const PARTIAL_BYTES = 16 * 1024;

export type StampedEmit = (ts: string, line: Line) => void;

export class StampedLines {
  private readonly splitter: LineSplitter;
  private prefix: Buffer | undefined; // a timestamp prefix split across pieces
  private atMessageStart = false;
  private msgTs = '';
  private lineTs = '';
  private curTs = '';
  private midLine = false;
  private msgLen = 0; // content bytes of the current message (unframed bodies)
  private emitted = 0;
  private out: StampedEmit = () => {};
  private readonly onLine = (l: Line): void => {
    this.emitted++;
    this.out(this.curTs, l);
    this.curTs = this.msgTs;
  };

  constructor(
    maxBytes: number,
    private readonly stamped: boolean,
    private readonly lineStartsMessage: boolean,
    /** Timestamp for lines before any prefix was seen (unstamped streams). */
    private readonly fallbackTs: () => string,
  ) {
    this.splitter = new LineSplitter(maxBytes);
    this.atMessageStart = stamped;
  }

  /** No partial line or prefix held: the next message may be decoded by the caller's fast path. */
  get idle(): boolean {
    return !this.midLine && this.prefix === undefined;
  }

  /** A piece of the stream; `start` marks the first piece of an engine message (frame). */
  push(piece: Buffer, start: boolean, emit: StampedEmit): void {
    if (!this.stamped) return this.content(piece, emit, this.fallbackTs());
    if (start) this.atMessageStart = true;
    if (!this.lineStartsMessage) return this.content(this.strip(piece), emit, this.msgTs);
    this.pushUnframed(piece, emit);
  }

  /**
   * TTY bodies have no frames: a message ends at a newline, or after
   * PARTIAL_BYTES of a longer line (docker's log copier cuts there and stamps
   * the rest as a new message).
   */
  private pushUnframed(piece: Buffer, emit: StampedEmit): void {
    let buf = piece;
    while (buf.length > 0) {
      if (this.atMessageStart) {
        buf = this.strip(buf);
        this.msgLen = 0;
        continue;
      }
      const nl = buf.indexOf(10);
      let end = nl === -1 ? buf.length : nl + 1;
      if (end > PARTIAL_BYTES - this.msgLen) end = PARTIAL_BYTES - this.msgLen;
      this.content(buf.subarray(0, end), emit, this.msgTs);
      this.msgLen += end;
      if (end === nl + 1 || this.msgLen >= PARTIAL_BYTES) this.atMessageStart = true;
      buf = buf.subarray(end);
    }
  }

  end(emit: StampedEmit): void {
    if (this.prefix) this.content(this.takePrefixAsText(), emit, this.msgTs);
    this.out = emit;
    this.curTs = this.midLine ? this.lineTs : this.msgTs;
    this.splitter.end(this.onLine);
    this.midLine = false;
  }

  /** Removes the timestamp prefix at a message start; returns the content. */
  private strip(piece: Buffer): Buffer {
    if (!this.atMessageStart || piece.length === 0) return piece;
    const buf = this.prefix ? Buffer.concat([this.prefix, piece]) : piece;
    const sp = buf.indexOf(32);
    if (sp === -1 || sp > MAX_PREFIX) {
      if (sp === -1 && buf.length <= MAX_PREFIX) {
        this.prefix = Buffer.from(buf); // wait for the rest of the prefix
        return buf.subarray(0, 0);
      }
      this.prefix = undefined;
      this.atMessageStart = false;
      return buf; // not a timestamp: keep the bytes as text
    }
    this.prefix = undefined;
    this.atMessageStart = false;
    const text = buf.toString('latin1', 0, sp);
    const ts = isFixedTs(text) ? text : normalizeTs(text);
    if (ts === undefined) return buf;
    this.msgTs = ts;
    return buf.subarray(sp + 1);
  }

  private takePrefixAsText(): Buffer {
    const b = this.prefix!;
    this.prefix = undefined;
    this.atMessageStart = false;
    return b;
  }

  private content(piece: Buffer, emit: StampedEmit, ts: string): void {
    if (piece.length === 0) return;
    if (!this.stamped) this.msgTs = ts;
    this.out = emit;
    const wasMid = this.midLine;
    this.curTs = wasMid ? this.lineTs : this.msgTs;
    this.emitted = 0;
    this.splitter.push(piece, this.onLine);
    this.midLine = piece[piece.length - 1] !== 10;
    if (this.emitted > 0 || !wasMid) this.lineTs = this.msgTs;
  }
}
