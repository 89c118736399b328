/**
 * What a command gets from the CLI: its streams, environment, a signal that
 * aborts on Ctrl-C, SIGTERM or a closed stdout, and helpers to connect engines
 * from the global flags. Only src/main.ts touches `process`.
 */
import type { Command } from 'commander';
import type { Engine } from './core/engine/engine.js';
import { EXIT, usageError } from './core/errors.js';
import { checkSwarmSelection, wantsSwarm, type SwarmFlags } from './core/swarm/flags.js';
import type { SwarmScope } from './core/swarm/scope.js';
import type { Cluster } from './core/swarm/cluster.js';

import type { Io, ViewContext } from './core/output/io.js';

export type { Io, Out } from './core/output/io.js';

export interface GlobalOptions {
  host: string[];
  context: string[];
}

export class CommandContext implements ViewContext {
  private readonly controller = new AbortController();
  /** Set by a command to choose the exit code; undefined means 0. */
  exitCode: number | undefined;
  pipeClosed = false;

  readonly io: Io;

  constructor(io: Io) {
    // Its own copy of the environment: --no-color sets NO_COLOR in it, not in the caller's. stdin and
    // stderr are read from the caller's io when used, not copied: main.ts makes them on first use.
    const env = { ...io.env };
    this.io = {
      stdout: io.stdout,
      get stderr() {
        return io.stderr;
      },
      get stdin() {
        return io.stdin;
      },
      env,
      signal: io.signal,
    };
    const onAbort = () => this.controller.abort(io.signal.reason);
    if (io.signal.aborted) onAbort();
    else io.signal.addEventListener('abort', onAbort, { once: true });
  }

  /** Aborts on Ctrl-C, SIGTERM, or when stdout's reader went away. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The sink calls this when stdout's reader closed the pipe: end quietly, exit 0. */
  closePipe = (): void => {
    this.pipeClosed = true;
    this.controller.abort('EPIPE');
  };

  get env(): Record<string, string | undefined> {
    return this.io.env;
  }

  /** A one-line diagnostic on stderr. */
  warn(message: string): void {
    this.io.stderr.write(`berth: ${message}\n`);
  }

  /** --no-color: colours off for this run, whatever FORCE_COLOR says (every colour decision reads io.env). */
  noColor(): void {
    this.io.env.NO_COLOR = '1';
    this.io.env.FORCE_COLOR = '0';
  }

  globals(cmd: Command): GlobalOptions {
    const o = cmd.optsWithGlobals() as Partial<GlobalOptions>;
    return { host: o.host ?? [], context: o.context ?? [] };
  }

  /**
   * The engines of a command that follows several (logs, stats, events). With several, one that does not
   * answer is reported and retried by the sources, not fatal; `engineReport` at the end says which never
   * answered and sets exit 3. The engine client (node:http and TLS) loads here, not at start-up.
   */
  async engines(cmd: Command): Promise<Engine[]> {
    const g = this.globals(cmd);
    const { connectEngines } = await import('./core/engine/connect.js');
    const onUnreachable = (_e: Engine, err: unknown) => this.warn(`${(err as Error).message}; going on with the other engines and retrying it`);
    return connectEngines({ hosts: g.host, contexts: g.context, env: this.env, signal: this.signal, onUnreachable });
  }

  /** At the end of a run over several engines: an engine that never answered is named, and the exit code is 3. */
  engineReport(engines: Engine[]): void {
    // An engine that answered knows its API version (connect.ts's `answered`, inlined to keep that module lazy).
    const silent = engines.filter((e) => e.apiVersion === '');
    if (!silent.length || this.pipeClosed) return;
    for (const e of silent) this.warn(`the engine at ${e.endpoint.host} never answered`);
    this.exitCode = EXIT.engineUnreachable;
  }

  /**
   * --service/--stack (and events' --swarm): the manager (the one engine of --host/--context), the swarm's
   * nodes and the selection of their tasks; undefined when none is given (the command selects containers).
   * Container names and --project cannot be given with them; --node cannot be given without them.
   */
  async swarm(cmd: Command, flags: SwarmFlags & { project?: string; swarm?: boolean }, names: string[] = [], filters?: Record<string, string[]>): Promise<SwarmScope | undefined> {
    if (!wantsSwarm(flags, flags.swarm)) return undefined;
    checkSwarmSelection(names, flags.project);
    const { openSwarmScope } = await import('./core/swarm/scope.js');
    const manager = await this.engine(cmd);
    return openSwarmScope(manager, flags, { ...(filters ? { filters } : {}), env: this.env, signal: this.signal, warn: (m) => this.warn(m) });
  }

  /** wake/watch-idle --service: the manager and the swarm's nodes (their engines, for counters and health). */
  async swarmCluster(cmd: Command, nodeFlags: string[]): Promise<Cluster> {
    const manager = await this.engine(cmd);
    const { openCluster, reportUnreachable, COST_OF_IDLING } = await import('./core/swarm/cluster.js');
    const cluster = await openCluster(manager, { nodeFlags, env: this.env, signal: this.signal, warn: (m) => this.warn(m) });
    reportUnreachable(cluster.nodes, (m) => this.warn(m), COST_OF_IDLING);
    return cluster;
  }

  /** The engine of a command that acts on one engine (serve, wake, watch-idle, topology): more than one is refused, not dropped. */
  async engine(cmd: Command): Promise<Engine> {
    const g = this.globals(cmd);
    const given = Math.max(g.host.length, g.context.length);
    if (given > 1) {
      const flag = g.host.length > 1 ? '--host' : '--context';
      throw usageError(`${cmd.name()} works on one engine (${flag} was given ${given} times)`, 'logs, stats and events follow several engines');
    }
    const { connectEngine } = await import('./core/engine/connect.js');
    return connectEngine({ hosts: g.host, contexts: g.context, env: this.env, signal: this.signal });
  }
}
