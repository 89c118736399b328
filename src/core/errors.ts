/**
 * One error class for everything berth reports to a person. Each has a stable
 * `code` (for scripts and tests), an `exitCode` from the documented table, a
 * one-line message and, where it helps, a hint. The top level prints it once.
 */

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  engineUnreachable: 3,
  notFound: 4,
  timeout: 5,
  interrupted: 130,
  terminated: 143,
} as const;

export type ExitName = keyof typeof EXIT;

/** The exit-code table as the man page and README print it. */
export const EXIT_TABLE: ReadonlyArray<{ code: number; meaning: string }> = [
  { code: EXIT.ok, meaning: 'success; also when the output pipe was closed by the reader (| head)' },
  { code: EXIT.failure, meaning: 'an operation failed (a container exited or turned unhealthy while waking, an engine error)' },
  { code: EXIT.usage, meaning: 'usage error: unknown flag, bad flag value, bad configuration' },
  { code: EXIT.engineUnreachable, meaning: 'the Docker engine could not be reached (with several engines: one never answered)' },
  { code: EXIT.notFound, meaning: 'a named container, project or file was not found' },
  { code: EXIT.timeout, meaning: 'a wait ran out of time (wake timeout, --timeout)' },
  { code: EXIT.interrupted, meaning: 'interrupted by SIGINT (Ctrl-C)' },
  { code: EXIT.terminated, meaning: 'terminated by SIGTERM' },
];

export type ErrorCode = 'USAGE' | 'CONFIG' | 'ENGINE_UNREACHABLE' | 'ENGINE_ERROR' | 'NOT_FOUND' | 'TIMEOUT' | 'FAILED' | 'INTERRUPTED' | 'INPUT';

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.usage,
  CONFIG: EXIT.usage,
  ENGINE_UNREACHABLE: EXIT.engineUnreachable,
  ENGINE_ERROR: EXIT.failure,
  NOT_FOUND: EXIT.notFound,
  TIMEOUT: EXIT.timeout,
  FAILED: EXIT.failure,
  INTERRUPTED: EXIT.interrupted,
  INPUT: EXIT.usage,
};

export class BerthError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;
  readonly hint?: string;

  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown; exitCode?: number } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BerthError';
    this.code = code;
    this.exitCode = opts.exitCode ?? EXIT_BY_CODE[code];
    this.hint = opts.hint;
  }
}

export const usageError = (message: string, hint?: string) => new BerthError('USAGE', message, { hint });

/** True for the errors an aborted signal produces; an abort is not a failure. */
export function isAbortError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as { name?: string; code?: string };
  return e.name === 'AbortError' || e.code === 'ABORT_ERR' || e.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/** Socket-level errors that mean "the engine is not there (any more)". */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ENOENT' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'EHOSTUNREACH' ||
    code === 'ETIMEDOUT' ||
    code === 'ENOTFOUND' ||
    code === 'EACCES' ||
    code === 'ERR_SOCKET_CLOSED' ||
    code === 'UND_ERR_SOCKET'
  );
}

/** The one line a person sees for an error, plus a hint line where one helps. */
export function formatError(err: unknown, debug: boolean): string {
  if (err instanceof BerthError) {
    const lines = [`berth: ${err.message}`];
    if (err.hint) lines.push(`hint: ${err.hint}`);
    if (debug && err.stack) lines.push(err.stack, ...(err.cause ? [`cause: ${String((err.cause as Error).stack ?? err.cause)}`] : []));
    return lines.join('\n') + '\n';
  }
  const e = err as Error;
  const base = `berth: unexpected error: ${e?.message ?? String(err)}`;
  return (debug && e?.stack ? `${base}\n${e.stack}` : `${base}\nhint: run with BERTH_DEBUG=1 for the stack trace`) + '\n';
}
