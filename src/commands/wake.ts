/** `berth wake NAME...`: start containers, dependencies first, and wait until they are ready. */
import { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { loadConfigFile, type ConfigFile } from '../core/idle/config-file.js';
import { ContainerProvider } from '../core/idle/provider.js';
import { UnitResolver } from '../core/idle/unit-resolver.js';
import { createWaker, type UnitSource } from '../core/idle/wake.js';
import type { WakeEvent } from '../core/idle/types.js';
import { pickFormat } from '../core/output/format.js';
import { LineWriter } from '../core/output/ndjson.js';
import { makeChalk } from '../core/output/colors.js';
import { parseDurationMs } from '../core/parse.js';
import { usageError } from '../core/errors.js';
import { addFormatOptions, describe, addConfigOption, addSwarmOptions } from './options.js';

interface WakeOptions {
  service?: string[];
  node?: string[];
  timeout?: string;
  config?: string;
  format?: string;
  json?: boolean;
}

export function makeWakeCommand(ctx: CommandContext): Command {
  const cmd = new Command('wake')
    .description(
      'Start the named containers and wait until they are ready, dependencies first (berth.idle.depends_on, compose depends_on). ' +
        'Ready: its berth.idle.probe answers, else its HEALTHCHECK is healthy, else it runs. Exit 1 if it exits or turns unhealthy, 5 if not ready in time.',
    )
    .argument('[name...]')
    .option('--timeout <duration>', 'time budget for each wake (default: its berth.idle.wake_timeout)');
  addSwarmOptions(cmd, { stack: false });
  addFormatOptions(cmd, ['json', 'table']);
  addConfigOption(cmd);
  describe(cmd, 'Start containers, dependencies first, and wait until ready', [
    ['berth wake app', 'starts its dependencies first, waits until app is ready'],
    ['berth wake app --timeout 2m --json', 'with a 2-minute budget, progress as NDJSON'],
    ['berth wake --service web', 'a swarm service back to the replicas it had, ready when they all run'],
  ]);
  return cmd.action(async (names: string[], opts: WakeOptions) => {
    const timeoutMs = opts.timeout !== undefined ? positiveDuration(opts.timeout) : undefined;
    const format = pickFormat(opts, !!ctx.io.stdout.isTTY, ['json', 'table']);
    const file = opts.config ? await loadConfigFile(opts.config) : undefined;
    const services = opts.service ?? [];
    if (services.length && names.length) throw usageError(`wake takes containers or --service, not both (got: ${names.join(' ')})`);
    if (!services.length && !names.length) throw usageError('wake: name a container (or --service NAME)');
    if (!services.length && opts.node?.length) throw usageError('--node says how to reach a swarm node: it goes with --service');
    const resolver = services.length ? await serviceUnits(ctx, cmd, opts.node ?? [], file) : new UnitResolver(new ContainerProvider(await ctx.engine(cmd)), file, (m) => ctx.warn(m));
    const waker = createWaker({ resolver });
    names = services.length ? services : names;
    const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
    const render = format === 'json' ? (e: WakeEvent) => JSON.stringify(e) : progressLine(makeChalk(ctx.env, !!ctx.io.stdout.isTTY), names.length > 1);
    const onEvent = (e: WakeEvent) => void out.writeLine(render(e) + '\n');
    const results = await Promise.allSettled([...new Set(names)].map((n) => waker(n, { signal: ctx.signal, onEvent, ...(timeoutMs ? { timeoutMs } : {}) })));
    await out.end();
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
}

async function serviceUnits(ctx: CommandContext, cmd: Command, nodeFlags: string[], file: ConfigFile | undefined): Promise<UnitSource> {
  const cluster = await ctx.swarmCluster(cmd, nodeFlags);
  const [{ ServiceProvider }, { ServiceUnits }] = await Promise.all([import('../core/swarm/service-provider.js'), import('../core/swarm/service-units.js')]);
  return new ServiceUnits(new ServiceProvider(cluster, { ...(file ? { file } : {}) }), file, (m) => ctx.warn(m));
}

function positiveDuration(text: string): number {
  const ms = parseDurationMs(text, '--timeout');
  if (ms <= 0) throw usageError(`--timeout: expected a duration above 0 (got: ${JSON.stringify(text)})`);
  return ms;
}

const MARK: Record<WakeEvent['event'], string> = {
  starting: '…',
  waking_dep: '↑',
  dep_ready: '✓',
  container_woke: '↑',
  waiting_ready: '…',
  ready: '✓',
  error: '✗',
};

function progressLine(chalk: ReturnType<typeof makeChalk>, several: boolean): (e: WakeEvent) => string {
  return (e) => {
    const mark = e.event === 'error' ? chalk.red(MARK[e.event]) : e.event === 'ready' || e.event === 'dep_ready' ? chalk.green(MARK[e.event]) : chalk.dim(MARK[e.event]);
    return `${chalk.dim(e.ts.slice(11, 19))} ${mark} ${several ? chalk.bold(e.container) + ': ' : ''}${e.message}`;
  };
}
