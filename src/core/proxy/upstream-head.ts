/**
 * Tolerance for what an upstream sends, as nginx and curl have: response
 * head lines ended by a bare LF (busybox httpd passes a CGI script's output
 * on as it is, and some embedded servers write heads that way) are repaired
 * to CRLF before undici's strict parser sees them. Clients get no such
 * tolerance: berth's own server parses requests strictly, which is where
 * request smuggling lives.
 *
 * Only the first answer on an upstream connection is repaired (after any
 * 1xx heads before it): finding the next answer's head would mean parsing
 * bodies a second time. An answer that needed repair gets `Connection:
 * close` added to its head, so its connection carries nothing after it and
 * no later answer is ever read from a repaired stream. Bound: a head is
 * scanned up to MAX_HEAD bytes; past that the bytes pass through untouched
 * (undici's own head limit refuses them). No bytes are buffered: the state
 * carried between chunks is a few counters.
 */
import type { Socket } from 'node:net';

const CR = 13;
const LF = 10;
export const MAX_HEAD = 64 * 1024;
const CLOSE = Buffer.from('Connection: close\r\n', 'latin1');

export class HeadRepair {
  /** True once the first final head has been passed on (or given up on). */
  done = false;
  private crPending = false;
  private lineLen = 0;
  private line = 0;
  private status = '';
  private repaired = false;
  private scanned = 0;

  /** The chunk with its head lines ended by CRLF; the same Buffer when nothing changed. */
  transform(chunk: Buffer): Buffer {
    if (this.done) return chunk;
    const out = Buffer.allocUnsafe(chunk.length * 2 + CLOSE.length + 2);
    // A CR is passed on with the byte after it, so a CR held from the last chunk changes this one.
    let changed = this.crPending;
    let n = 0;
    let i = 0;
    for (; i < chunk.length && !this.done; i++) {
      const b = chunk[i]!;
      if (++this.scanned > MAX_HEAD) {
        this.done = true;
        break;
      }
      if (b === CR) {
        if (this.crPending) out[n++] = CR; // a CR not before LF: passed on for the parser to judge
        this.crPending = true;
        continue;
      }
      if (b !== LF) {
        if (this.crPending) {
          out[n++] = CR;
          this.crPending = false;
        }
        if (this.line === 0 && this.status.length < 12) this.status += String.fromCharCode(b);
        this.lineLen++;
        out[n++] = b;
        continue;
      }
      if (!this.crPending) {
        changed = true;
        this.repaired = true;
      }
      this.crPending = false;
      if (this.lineLen === 0 && this.endOfHead()) {
        n += CLOSE.copy(out, n);
        changed = true;
      }
      if (this.lineLen > 0) this.line++;
      this.lineLen = 0;
      out[n++] = CR;
      out[n++] = LF;
    }
    if (this.crPending) {
      changed = true; // held back until the next byte is known
      if (this.done) {
        out[n++] = CR;
        this.crPending = false;
      }
    }
    if (!changed) return chunk;
    if (i < chunk.length) n += chunk.copy(out, n, i);
    return out.subarray(0, n);
  }

  /**
   * At an empty line: after a 1xx head (but 101) another head follows; the final one ends the repair.
   * True when `Connection: close` must go in before the empty line (the answer's head was repaired).
   */
  private endOfHead(): boolean {
    const code = Number(this.status.slice(9, 12));
    this.line = 0;
    this.status = '';
    if (code >= 100 && code < 200 && code !== 101) return false;
    this.done = true;
    return this.repaired;
  }
}

/**
 * Repairs the first answer's head read from `socket` (an upstream connection, before anything was
 * read): the socket's `push` is wrapped, then restored once the head has passed.
 */
export function repairFirstHead(socket: Socket): void {
  const repair = new HeadRepair();
  const own = socket as unknown as { push: (chunk: unknown, encoding?: BufferEncoding) => boolean };
  const push = own.push;
  own.push = function (chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!Buffer.isBuffer(chunk)) return push.call(this, chunk, encoding);
    const out = repair.transform(chunk);
    if (repair.done) delete (own as { push?: unknown }).push;
    return push.call(this, out, encoding);
  };
}
