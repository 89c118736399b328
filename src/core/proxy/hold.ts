/**
 * Held requests: while a container wakes, a request's body is read into
 * memory so the client's upload is not stalled for the whole wake, up to a
 * bound (`limit` bytes, default 1 MiB). At the bound the request is answered
 * 413 and the rest of the body is discarded; memory per held request never
 * passes the bound.
 */
import type { IncomingMessage } from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes while the container wakes`);
  }
}

/** Reads the whole body, up to `limit` bytes. Rejects with BodyTooLarge past it, or on a client abort. */
export function bufferBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new BodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        cleanup();
        req.resume();
        return reject(new BodyTooLarge(limit));
      }
      chunks.push(c);
    };
    const onEnd = () => (cleanup(), resolve(Buffer.concat(chunks, size)));
    const onAbort = () => (cleanup(), reject(new Error('client went away')));
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('aborted', onAbort).off('error', onAbort);
    };
    req.on('data', onData).on('end', onEnd).on('aborted', onAbort).on('error', onAbort);
  });
}
