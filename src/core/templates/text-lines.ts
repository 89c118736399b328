/**
 * Stdin split into lines for the hot path: each chunk is decoded once
 * (StringDecoder keeps a UTF-8 character split across chunks whole) and cut
 * at `\n` with `indexOf`, so a line is a slice of the chunk's string, not a
 * Buffer decode of its own. A trailing `\r` is dropped (CRLF). Bound: a line
 * longer than `maxBytes` bytes of UTF-8 (as `logs --max-line-bytes` counts)
 * is cut there, at the last whole character, and marked truncated; the rest
 * of it, up to the next newline, is skipped, so a partial line held between
 * chunks never exceeds `maxBytes`. Lines are measured in bytes only when they
 * could pass the bound (a string's UTF-8 is at most 3 bytes per UTF-16 unit).
 */
import { StringDecoder } from 'node:string_decoder';

export type LineSink = (text: string, truncated: boolean) => void;

export class TextLines {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';
  private skipping = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer | string, emit: LineSink): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.take(text.slice(start, nl), true, emit);
      start = nl + 1;
    }
    if (start < text.length) this.take(text.slice(start), false, emit);
  }

  end(emit: LineSink): void {
    const rest = this.decoder.end();
    if (rest) this.take(rest, false, emit);
    if (this.partial.length > 0 && !this.skipping) emit(this.partial, false);
    this.partial = '';
    this.skipping = false;
  }

  private take(piece: string, complete: boolean, emit: LineSink): void {
    if (this.skipping) {
      if (complete) this.skipping = false;
      return;
    }
    let line = this.partial.length > 0 ? this.partial + piece : piece;
    this.partial = '';
    if (line.length * 3 > this.maxBytes && Buffer.byteLength(line) > this.maxBytes) {
      emit(cutUtf8(line, this.maxBytes), true);
      this.skipping = !complete;
      return;
    }
    if (!complete) {
      this.partial = line;
      return;
    }
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
    emit(line, false);
  }
}

/** The longest start of `text` whose UTF-8 is at most `max` bytes, ending on a whole character. */
export function cutUtf8(text: string, max: number): string {
  const buf = Buffer.from(text, 'utf8');
  let end = Math.min(max, buf.length);
  while (end > 0 && end < buf.length && (buf[end]! & 0xc0) === 0x80) end--; // not inside a character
  return buf.toString('utf8', 0, end);
}
