/** Resolves and connects the engines a command was pointed at (--host/--context repeated). */
import { resolveEndpoints, type EndpointInput } from './endpoint.js';
import { createEngine, negotiate, type Engine } from './engine.js';

export interface ConnectOptions extends EndpointInput {
  signal?: AbortSignal;
}

export async function connectEngines(opts: ConnectOptions): Promise<Engine[]> {
  const engines = resolveEndpoints(opts).map(createEngine);
  await Promise.all(engines.map((e) => negotiate(e, opts.signal)));
  return engines;
}

/** One engine, for commands that act on a single engine. */
export async function connectEngine(opts: ConnectOptions): Promise<Engine> {
  const [first] = await connectEngines({ ...opts, hosts: opts.hosts?.slice(0, 1), contexts: opts.contexts?.slice(0, 1) });
  return first!;
}
