/**
 * A container's log body (bytes as the engine sends them) to LogLines, all
 * synchronous over whole chunks: `push(chunk, out)` appends every line the
 * chunk completes to `out`. Non-TTY bodies are multiplexed frames (demux.ts);
 * TTY bodies are raw bytes on stdout. Engine errors sent in-band (stream 3)
 * go to `onEngineError`.
 */
import type { Target } from '../engine/select.js';
import { DEFAULT_MAX_LINE_BYTES, type Line } from '../stream/lines.js';
import { StampedLines, type StampedEmit } from './assemble.js';
import { FrameDecoder, type StreamId } from './demux.js';
import type { LogLine, LogStream } from './line.js';
import { FIXED_TS_LEN, nowTs } from './timestamp.js';

export interface DecodeOptions {
  tty: boolean;
  /** The body was requested with timestamps=true (berth always does, except raw passthrough). */
  stamped: boolean;
  maxLineBytes?: number;
  onEngineError?: (text: string) => void;
}

export class LogDecoder {
  private readonly frames = new FrameDecoder();
  private readonly streams: [StampedLines, StampedLines];
  private out: LogLine[] = [];
  private readonly emitters: [StampedEmit, StampedEmit];

  private readonly maxLine: number;

  constructor(
    private readonly target: Target,
    private readonly opts: DecodeOptions,
  ) {
    const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.maxLine = max;
    const make = () => new StampedLines(max, opts.stamped, opts.tty, nowTs);
    this.streams = [make(), make()];
    this.emitters = [this.emitter('stdout'), this.emitter('stderr')];
  }

  private emitter(stream: LogStream): StampedEmit {
    return (ts: string, l: Line) => {
      this.out.push({ ts, stream, msg: l.text, truncated: l.truncated, target: this.target });
    };
  }

  private readonly onFrame = (s: StreamId, piece: Buffer, start: boolean, end: boolean): void => {
    if (s === 3) {
      this.opts.onEngineError?.(piece.toString('utf8').trim());
      return;
    }
    // A raw (non-multiplexed) body has no frames: messages start at newlines.
    const i = s - 1;
    this.streams[i]!.push(piece, this.frames.raw ? false : start, this.emitters[i]!);
    void end;
  };

  push(chunk: Buffer, out: LogLine[]): void {
    this.out = out;
    if (this.opts.tty) return this.streams[0].push(chunk, false, this.emitters[0]);
    if (!this.opts.stamped) return this.frames.push(chunk, this.onFrame);
    const len = chunk.length;
    let pos = this.frames.idle ? this.wholeFrames(chunk, 0) : 0;
    while (pos < len) {
      const n = Math.min(len - pos, this.frames.toBoundary);
      this.frames.push(pos === 0 && n === len ? chunk : chunk.subarray(pos, pos + n), this.onFrame);
      pos += n;
      if (this.frames.idle) pos = this.wholeFrames(chunk, pos);
    }
  }

  /**
   * The fast path for the common shape: whole frames inside this chunk, each
   * "<fixed ts> <one line>\n". Decodes them straight from the chunk (two
   * strings and one object per line, no intermediate buffers) and returns
   * where it stopped; anything else goes through the general path.
   */
  private wholeFrames(chunk: Buffer, pos: number): number {
    const len = chunk.length;
    while (pos + 8 <= len) {
      const s = chunk[pos]!;
      if ((s !== 1 && s !== 2) || chunk[pos + 1] !== 0 || chunk[pos + 2] !== 0 || chunk[pos + 3] !== 0) return pos;
      const start = pos + 8;
      const end = start + chunk.readUInt32BE(pos + 4);
      if (end > len || end - start < FIXED_TS_LEN + 2 || end - start - FIXED_TS_LEN - 2 > this.maxLine) return pos;
      if (chunk[start + FIXED_TS_LEN] !== 32 || chunk[start + 29] !== 90 || chunk[end - 1] !== 10) return pos;
      if (chunk.indexOf(10, start + FIXED_TS_LEN + 1) !== end - 1 || !this.streams[s - 1]!.idle) return pos;
      const msgEnd = chunk[end - 2] === 13 ? end - 2 : end - 1;
      this.out.push({
        ts: chunk.toString('latin1', start, start + FIXED_TS_LEN),
        stream: s === 1 ? 'stdout' : 'stderr',
        msg: chunk.toString('utf8', start + FIXED_TS_LEN + 1, msgEnd),
        truncated: false,
        target: this.target,
      });
      pos = end;
    }
    return pos;
  }

  end(out: LogLine[]): void {
    this.out = out;
    this.streams[0].end(this.emitters[0]);
    this.streams[1].end(this.emitters[1]);
  }
}
