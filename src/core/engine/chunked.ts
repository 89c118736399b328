/**
 * HTTP/1.1's chunked transfer coding (RFC 9112, 7.1), decoded as bytes arrive: the body of the engine's
 * streaming replies (stats, logs, events) when berth reads the socket itself (plain-stream.ts).
 *
 * `push(bytes, onData, start, end)` hands each piece of chunk data to `onData` as a range of `bytes` (valid
 * during the call only: the socket's buffer is reused) and returns true once the last chunk (size 0) and
 * the trailer section are read. It reads byte by byte and makes no string or view: it runs for every read
 * of every stream followed. Malformed framing throws. Bounds: a chunk size has at most 12 hex digits (2^48
 * bytes), and a chunk extension or a trailer line at most MAX_LINE bytes (longer: an error); data is never
 * buffered here.
 */
export const MAX_LINE = 4096;

const LF = 10;
const CR = 13;
const MAX_DIGITS = 12;

/** Where the decoder is: in a chunk-size line (its digits, or an extension after them), in data, after data, in the trailer. */
type State = 'digits' | 'ext' | 'size-lf' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

export class ChunkedDecoder {
  private state: State = 'digits';
  private size = 0;
  private digits = 0;
  /** Data bytes left in this chunk. */
  private left = 0;
  /** Bytes of the extension or trailer line read so far. */
  private lineBytes = 0;

  get done(): boolean {
    return this.state === 'done';
  }

  push(bytes: Buffer, onData: (data: Buffer, start: number, end: number) => void, start = 0, end = bytes.length): boolean {
    let i = start;
    while (i < end) {
      switch (this.state) {
        case 'digits':
          i = this.readDigits(bytes, i, end);
          break;
        case 'data': {
          const n = Math.min(this.left, end - i);
          onData(bytes, i, i + n);
          i += n;
          this.left -= n;
          if (this.left === 0) this.state = 'data-cr';
          break;
        }
        case 'done':
          return true;
        default:
          this.step(bytes[i++]!);
      }
    }
    return this.state === 'done';
  }

  /** Hex digits of a chunk size, up to what ends them; the index after the last byte read. */
  private readDigits(bytes: Buffer, i: number, end: number): number {
    for (; i < end; i++) {
      const d = hexValue(bytes[i]!);
      if (d < 0) {
        if (this.digits === 0) throw new Error('chunked reply: a chunk size without hex digits');
        this.state = 'ext'; // what follows the digits: ";extension", spaces, then CRLF
        return i;
      }
      if (++this.digits > MAX_DIGITS) throw new Error(`chunked reply: a chunk size of more than ${MAX_DIGITS} hex digits`);
      this.size = this.size * 16 + d;
    }
    return i;
  }

  /** One byte of the framing around data: the end of a size line, the CRLF after data, the trailer. */
  private step(b: number): void {
    switch (this.state) {
      case 'ext':
        if (b === LF) this.endSizeLine();
        else if (b === CR) this.state = 'size-lf';
        else this.countLineByte();
        return;
      case 'size-lf':
        if (b !== LF) throw new Error('chunked reply: CR without LF after a chunk size');
        return this.endSizeLine();
      case 'data-cr':
        if (b === CR) this.state = 'data-lf';
        else if (b === LF) this.state = 'digits';
        else throw new Error('chunked reply: no CRLF after chunk data');
        return;
      case 'data-lf':
        if (b !== LF) throw new Error('chunked reply: no CRLF after chunk data');
        this.state = 'digits';
        return;
      case 'trailer':
        // Lines up to an empty one; only their length is kept (CR bytes are not counted).
        if (b === LF) {
          if (this.lineBytes === 0) this.state = 'done';
          this.lineBytes = 0;
        } else if (b !== CR) this.countLineByte();
        return;
    }
  }

  private endSizeLine(): void {
    this.left = this.size;
    this.size = 0;
    this.digits = 0;
    this.lineBytes = 0;
    this.state = this.left === 0 ? 'trailer' : 'data';
  }

  private countLineByte(): void {
    if (++this.lineBytes > MAX_LINE) throw new Error(`chunked reply: a line longer than ${MAX_LINE} bytes`);
  }
}

/** The value of an ASCII hex digit, or -1. */
function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  if (b >= 97 && b <= 102) return b - 87;
  if (b >= 65 && b <= 70) return b - 55;
  return -1;
}
