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
import { nowTs } from './timestamp.js';

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

  constructor(private readonly target: Target, private readonly opts: DecodeOptions) {
    const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
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
    if (this.opts.tty) this.streams[0].push(chunk, false, this.emitters[0]);
    else this.frames.push(chunk, this.onFrame);
  }

  end(out: LogLine[]): void {
    this.out = out;
    this.streams[0].end(this.emitters[0]);
    this.streams[1].end(this.emitters[1]);
  }
}
