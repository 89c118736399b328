/**
 * Splits a byte stream into lines. `\n` ends a line and a trailing `\r` is
 * dropped (CRLF); a final line without newline is still yielded. UTF-8
 * characters split across chunks are decoded correctly (bytes are joined
 * before decoding). Bound: a line longer than `maxBytes` is cut at the bound
 * (moved back to a character boundary) and yielded with `truncated: true`; the rest of it, up to the next newline,
 * is discarded, so memory per line stays under `maxBytes`.
 */
export interface Line {
  text: string;
  truncated: boolean;
}

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partsLen = 0;
  private skipping = false;

  constructor(private readonly maxBytes = DEFAULT_MAX_LINE_BYTES) {}

  /**
   * Feeds `chunk[start, end)` (the whole chunk by default); calls `emit` for each complete line. A line
   * that lies whole in the chunk is decoded from it in place (no view or copy is made: a stream read
   * whole lines at a time, as stats' are, costs one decode a line). The search for a newline may look past
   * `end` (a found one there ends the loop): `end` is no bound on what `chunk` holds.
   */
  push(chunk: Buffer, emit: (line: Line) => void, start = 0, end = chunk.length): void {
    let from = start;
    for (let nl = chunk.indexOf(10, from); nl !== -1 && nl < end; nl = chunk.indexOf(10, from)) {
      if (this.partsLen === 0 && !this.skipping && nl - from <= this.maxBytes) emit(wholeLine(chunk, from, nl));
      else this.take(chunk.subarray(from, nl), emit, true);
      from = nl + 1;
    }
    if (from < end) this.take(chunk.subarray(from, end), emit, false);
  }

  /** Flushes a final unterminated line. */
  end(emit: (line: Line) => void): void {
    if (this.partsLen > 0 && !this.skipping) emit(this.build(false));
    this.reset();
  }

  private take(piece: Buffer, emit: (line: Line) => void, complete: boolean): void {
    if (this.skipping) {
      if (complete) this.reset();
      return;
    }
    if (this.partsLen + piece.length > this.maxBytes) {
      const room = this.maxBytes - this.partsLen;
      if (room > 0) this.parts.push(piece.subarray(0, room));
      this.partsLen = this.maxBytes;
      emit(this.build(true));
      this.parts = [];
      this.partsLen = 0;
      this.skipping = !complete;
      return;
    }
    if (!complete) {
      // Copy: the caller's chunk buffer may be reused after push() returns.
      this.parts.push(Buffer.from(piece));
      this.partsLen += piece.length;
      return;
    }
    this.parts.push(piece);
    this.partsLen += piece.length;
    emit(this.build(false));
    this.reset();
  }

  private build(truncated: boolean): Line {
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLen);
    let end = buf.length;
    if (!truncated && end > 0 && buf[end - 1] === 13) end--;
    if (truncated) end = utf8Boundary(buf, end);
    return { text: buf.toString('utf8', 0, end), truncated };
  }

  private reset(): void {
    this.parts = [];
    this.partsLen = 0;
    this.skipping = false;
  }
}

/** The line `buf[from, nl)` (its newline at `nl`), without a trailing CR. */
function wholeLine(buf: Buffer, from: number, nl: number): Line {
  return { text: buf.toString('utf8', from, nl > from && buf[nl - 1] === 13 ? nl - 1 : nl), truncated: false };
}

/** `end`, moved back to the start of a UTF-8 character the cut at `end` would split (so a cut line ends in whole characters). */
export function utf8Boundary(buf: Uint8Array, end: number): number {
  let lead = end - 1;
  while (lead >= 0 && end - lead < 4 && (buf[lead]! & 0xc0) === 0x80) lead--;
  if (lead < 0 || buf[lead]! < 0xc0) return end; // ASCII, or continuation bytes without a lead: nothing to keep whole
  const len = buf[lead]! >= 0xf0 ? 4 : buf[lead]! >= 0xe0 ? 3 : 2;
  return end - lead < len ? lead : end;
}

/** Lines of an async byte stream; breaking out of the loop ends the source. */
export async function* splitLines(source: AsyncIterable<Buffer | string>, maxBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line> {
  const splitter = new LineSplitter(maxBytes);
  const pending: Line[] = [];
  const emit = (l: Line) => pending.push(l);
  for await (const chunk of source) {
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, emit);
    while (pending.length) yield pending.shift()!;
  }
  splitter.end(emit);
  while (pending.length) yield pending.shift()!;
}
