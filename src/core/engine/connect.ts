/** Resolves and connects the engines a command was pointed at (--host/--context repeated). */
import { resolveEndpoints, type EndpointInput } from './endpoint.js';
import { createEngine, negotiate, type Engine } from './engine.js';

export interface ConnectOptions extends EndpointInput {
  signal?: AbortSignal;
  /**
   * Several engines: one that does not answer is not fatal. It is returned
   * un-negotiated (`apiVersion` ''), `onUnreachable` says so, and the
   * sources retry it. When none answers, the first failure is thrown.
   */
  onUnreachable?: (engine: Engine, err: unknown) => void;
}

export async function connectEngines(opts: ConnectOptions): Promise<Engine[]> {
  const engines = resolveEndpoints(opts).map(createEngine);
  const tolerant = opts.onUnreachable !== undefined && engines.length > 1;
  const results = await Promise.allSettled(engines.map((e) => negotiate(e, opts.signal)));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ engine: engines[i]!, err: r.reason as unknown }] : []));
  if (failed.length && (!tolerant || failed.length === engines.length || opts.signal?.aborted)) throw failed[0]!.err;
  for (const f of failed) opts.onUnreachable?.(f.engine, f.err);
  return engines;
}

/** True once the engine answered (its API version was negotiated). */
export const answered = (e: Engine): boolean => e.apiVersion !== '';

/** One engine, for commands that act on a single engine. */
export async function connectEngine(opts: ConnectOptions): Promise<Engine> {
  const [first] = await connectEngines({ ...opts, hosts: opts.hosts?.slice(0, 1), contexts: opts.contexts?.slice(0, 1) });
  return first!;
}
