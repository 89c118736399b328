/**
 * Streaming requests to the engine (unix, tcp, TLS, ssh), for the endpoints
 * where berth reads the body itself (logs, events, stats), and the mapping of
 * the engine's errors to berth's. The request is torn down when `signal` aborts.
 */
import type { IncomingMessage } from 'node:http';
import type { BodyReader, OnData } from './client.js';
import type { Engine } from './engine.js';
import { BerthError, isConnectionError } from '../errors.js';
import { unreachable } from './engine.js';
import { isPodmanNotFound } from './podman.js';

export interface StreamRequest {
  path: string;
  method?: 'GET' | 'POST';
  query?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Extra status codes that are not errors (200 always is). */
  okStatus?: number[];
}

export function engineStream(engine: Engine, req: StreamRequest): Promise<IncomingMessage> {
  return engine.api.stream(req).catch((err: unknown) => Promise.reject(toBerthError(engine, err, req.signal)));
}

/** A streaming reply whose body goes to `onData` as it arrives (client.ts `read`); the reader's `ended` settles at its end. */
export function engineRead(engine: Engine, req: StreamRequest, onData: OnData): Promise<BodyReader> {
  return engine.api.read(req, onData).catch((err: unknown) => Promise.reject(toBerthError(engine, err, req.signal)));
}

export function toBerthError(engine: Engine, err: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof BerthError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 404 || isPodmanNotFound(engine.flavor, status, engineMessage(err))) return new BerthError('NOT_FOUND', engineMessage(err), { cause: err });
  // A --filter the engine does not take is a bad flag value (exit 2), as docker ps treats it.
  if (status === 400 && /^invalid filter/i.test(engineMessage(err))) return new BerthError('USAGE', `--filter: ${engineMessage(err)}`, { cause: err });
  if (status) return new BerthError('ENGINE_ERROR', `engine error (${status}): ${engineMessage(err)}`, { cause: err });
  if (isConnectionError(err)) return unreachable(engine, err);
  return err;
}

/** The engine's own message out of an "(HTTP code 404) ..." error (berth's client, or docker-modem's wrapping). */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  const m = /\(HTTP code \d+\) [^-]*- (.*)$/.exec((err as Error).message ?? '');
  return (m ? m[1]! : String((err as Error).message ?? err)).trim();
}
