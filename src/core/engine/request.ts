/**
 * Raw streaming requests through the engine's own transport (unix, tcp, TLS,
 * ssh), for the endpoints where berth reads the body itself (logs, events,
 * stats). The request is torn down when `signal` aborts.
 */
import type { IncomingMessage } from 'node:http';
import type { Engine } from './engine.js';
import { BerthError, isConnectionError } from '../errors.js';
import { unreachable } from './engine.js';

export interface StreamRequest {
  path: string;
  method?: 'GET' | 'POST';
  query?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Extra status codes that are not errors (200 always is). */
  okStatus?: number[];
}

export function engineStream(engine: Engine, req: StreamRequest): Promise<IncomingMessage> {
  const statusCodes: Record<number, boolean | string> = { 200: true, 404: 'not found', 400: 'bad request', 500: 'server error', 409: 'conflict' };
  for (const s of req.okStatus ?? []) statusCodes[s] = true;
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) return reject(req.signal.reason);
    engine.docker.modem.dial(
      {
        path: req.path,
        method: req.method ?? 'GET',
        options: { ...(req.query ?? {}) },
        isStream: true,
        statusCodes,
        abortSignal: req.signal,
      } as never,
      (err: unknown, res: unknown) => {
        if (err) return reject(toBerthError(engine, err, req.signal));
        resolve(res as IncomingMessage);
      },
    );
  });
}

export function toBerthError(engine: Engine, err: unknown, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason ?? err;
  if (err instanceof BerthError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 404) return new BerthError('NOT_FOUND', engineMessage(err), { cause: err });
  if (status) return new BerthError('ENGINE_ERROR', `engine error (${status}): ${engineMessage(err)}`, { cause: err });
  if (isConnectionError(err)) return unreachable(engine, err);
  return err;
}

/** The engine's own message out of docker-modem's "(HTTP code 404) no such container - ..." wrapping. */
export function engineMessage(err: unknown): string {
  const json = (err as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  const m = /\(HTTP code \d+\) [^-]*- (.*)$/.exec((err as Error).message ?? '');
  return (m ? m[1]! : String((err as Error).message ?? err)).trim();
}
