/**
 * Decodes docker's multiplexed log stream: frames of an 8-byte header
 * (stream byte 0=stdin 1=stdout 2=stderr 3=engine error, three zero bytes,
 * big-endian uint32 payload length) followed by the payload. A frame is not
 * a line, and chunks do not respect frames: a header or payload may be split
 * across any number of chunks. Payload pieces are emitted as they arrive
 * (never buffered whole), so a frame of any size costs no memory; the only
 * state kept between chunks is at most 7 header bytes.
 *
 * A header that cannot be one (non-zero padding, unknown stream) means the
 * stream is not multiplexed after all: the decoder switches to raw mode and
 * passes every remaining byte through as stdout, never stalling.
 */
export type StreamId = 1 | 2 | 3;

/** `start` is true for the first piece of a frame, `end` for its last. */
export type FrameEmit = (stream: StreamId, piece: Buffer, start: boolean, end: boolean) => void;

export class FrameDecoder {
  private readonly header = Buffer.alloc(8);
  private headerLen = 0;
  private remaining = 0;
  private stream: StreamId = 1;
  private started = false;
  /** True once the input proved not to be multiplexed. */
  raw = false;

  /** Between frames, with no header bytes held: a caller may decode whole frames itself. */
  get idle(): boolean {
    return this.remaining === 0 && this.headerLen === 0 && !this.raw;
  }

  /** Bytes to feed to reach the next boundary (end of a header or of a payload). */
  get toBoundary(): number {
    if (this.raw) return Infinity;
    if (this.headerLen > 0) return 8 - this.headerLen;
    return this.remaining > 0 ? this.remaining : 8;
  }

  push(chunk: Buffer, emit: FrameEmit): void {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.raw) return emit(1, pos === 0 ? chunk : chunk.subarray(pos), true, true);
      if (this.remaining > 0) pos = this.payload(chunk, pos, emit);
      else pos = this.readHeader(chunk, pos, emit);
    }
  }

  private payload(chunk: Buffer, pos: number, emit: FrameEmit): number {
    const n = Math.min(this.remaining, chunk.length - pos);
    this.remaining -= n;
    const start = !this.started;
    this.started = true;
    emit(this.stream, chunk.subarray(pos, pos + n), start, this.remaining === 0);
    return pos + n;
  }

  private readHeader(chunk: Buffer, pos: number, emit: FrameEmit): number {
    // Fast path: a whole header inside this chunk.
    if (this.headerLen === 0 && chunk.length - pos >= 8) return this.takeHeader(chunk, pos, emit) ? pos + 8 : pos;
    const n = Math.min(8 - this.headerLen, chunk.length - pos);
    chunk.copy(this.header, this.headerLen, pos, pos + n);
    this.headerLen += n;
    if (this.headerLen < 8) return pos + n;
    this.headerLen = 0;
    if (this.takeHeader(this.header, 0, emit)) return pos + n;
    emit(1, Buffer.from(this.header), true, true); // the bytes we held belong to the raw stream
    return pos + n;
  }

  /** Reads a header at `buf[at]`; false (and raw mode) when it is not one. */
  private takeHeader(buf: Buffer, at: number, _emit: FrameEmit): boolean {
    const s = buf[at]!;
    if (s > 3 || buf[at + 1] !== 0 || buf[at + 2] !== 0 || buf[at + 3] !== 0) {
      this.raw = true;
      return false;
    }
    this.stream = (s === 0 ? 1 : s) as StreamId;
    this.remaining = buf.readUInt32BE(at + 4);
    this.started = false;
    return true;
  }
}
