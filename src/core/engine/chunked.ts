/**
 * HTTP/1.1's chunked transfer coding (RFC 9112, 7.1), decoded as bytes arrive: the body of the engine's
 * streaming replies (stats, logs, events) when berth reads the socket itself (plain-stream.ts).
 *
 * `push(bytes, onData)` hands each piece of chunk data to `onData` as a view of `bytes` (valid during the
 * call only: the socket's buffer is reused) and returns true once the last chunk (size 0) and the trailer
 * section are read. Malformed framing throws. Bounds: a chunk-size line or a trailer line is at most
 * MAX_LINE bytes (a longer one throws), and a chunk's size at most 2^48 - 1; data is never buffered here.
 */
export const MAX_LINE = 4096;

const LF = 10;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class ChunkedDecoder {
  private state: State = 'size';
  private left = 0;
  private line = '';

  get done(): boolean {
    return this.state === 'done';
  }

  push(bytes: Buffer, onData: (data: Buffer) => void): boolean {
    let i = 0;
    while (i < bytes.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.left, bytes.length - i);
        onData(bytes.subarray(i, i + n));
        i += n;
        this.left -= n;
        if (this.left === 0) this.state = 'data-end';
        continue;
      }
      const lf = bytes.indexOf(LF, i);
      const end = lf === -1 ? bytes.length : lf;
      if (this.line.length + end - i > MAX_LINE) throw new Error(`chunked reply: a line longer than ${MAX_LINE} bytes`);
      this.line += bytes.toString('latin1', i, end);
      i = end;
      if (lf === -1) break;
      i++;
      this.endLine(this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line);
      this.line = '';
    }
    return this.state === 'done';
  }

  /** A whole line (without its CRLF) in a state that reads lines. */
  private endLine(text: string): void {
    if (this.state === 'data-end') {
      if (text !== '') throw new Error('chunked reply: no CRLF after chunk data');
      this.state = 'size';
    } else if (this.state === 'size') {
      this.left = chunkSize(text);
      this.state = this.left === 0 ? 'trailer' : 'data';
    } else if (text === '') this.state = 'done'; // the empty line that ends the trailer section
  }
}

/** The size on a chunk-size line ("1a2", "1a2;name=value"); throws when it is not one. */
export function chunkSize(line: string): number {
  const semi = line.indexOf(';');
  const hex = (semi === -1 ? line : line.slice(0, semi)).trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new Error(`chunked reply: bad chunk size ${JSON.stringify(line.slice(0, 40))}`);
  return parseInt(hex, 16);
}
