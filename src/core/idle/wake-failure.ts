/**
 * Why a wake failed, as a type a front end can answer from (a styled page
 * for browsers, JSON problem details for API clients, an exit code for
 * `berth wake`): the container did not become ready in time (`timeout`),
 * exited (`exited`), its healthcheck reported it unhealthy (`unhealthy`: the
 * wake fails at once, as compose fails a service_healthy dependency), or
 * the engine refused to start it (`refused`). Only `timeout` is a TIMEOUT
 * (exit 5); the others are failures (exit 1). Messages name the container
 * and the cause, never an internal address.
 */
import { BerthError } from '../errors.js';

export type WakeFailureKind = 'timeout' | 'exited' | 'unhealthy' | 'refused';

export class WakeFailure extends BerthError {
  constructor(
    readonly kind: WakeFailureKind,
    readonly container: string,
    message: string,
    opts: { hint?: string; cause?: unknown } = {},
  ) {
    super(kind === 'timeout' ? 'TIMEOUT' : 'FAILED', message, opts);
  }
}

/** The kind of any wake error (an untyped one is taken as the engine refusing). */
export function failureKind(err: unknown): WakeFailureKind {
  if (err instanceof WakeFailure) return err.kind;
  if (err instanceof BerthError && err.code === 'TIMEOUT') return 'timeout';
  return 'refused';
}

/** The title a person reads for each kind. */
export const FAILURE_TITLE: Record<WakeFailureKind, string> = {
  timeout: 'not ready in time',
  exited: 'the container exited',
  unhealthy: 'the container is unhealthy',
  refused: 'the engine refused to start it',
};
