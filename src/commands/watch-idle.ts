/** `berth watch-idle`: put idle containers to sleep (long-running, or --once from cron). */
import { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { loadConfigFile, type ConfigFile } from '../core/idle/config-file.js';
import { defaultStatePath, loadState, saveState, withStateLock } from '../core/idle/state-file.js';
import { Claims, claimsDir } from '../core/idle/claims.js';
import type { IdleRecord, Provider } from '../core/idle/types.js';
import { LifecycleOwner } from '../core/idle/lifecycle-owner.js';
import { ContainerProvider } from '../core/idle/provider.js';
import { pickFormat } from '../core/output/format.js';
import { LineWriter } from '../core/output/ndjson.js';
import { makeChalk } from '../core/output/colors.js';
import { parseDurationMs } from '../core/parse.js';
import { usageError } from '../core/errors.js';
import { addFormatOptions, describe, addOldName, addConfigOption, addSwarmOptions, addArchiveOption, sharedOption } from './options.js';

interface WatchIdleOptions {
  archive?: string;
  service?: string[];
  stack?: string;
  node?: string[];
  config?: string;
  once?: boolean;
  state?: string;
  dryRun?: boolean;
  interval: string;
  idleTimeout?: string;
  timeout?: string;
  format?: string;
  json?: boolean;
}

export function makeWatchIdleCommand(ctx: CommandContext): Command {
  const cmd = new Command('watch-idle')
    .description(
      'Stop containers idle (no network traffic) for their berth.idle.timeout: those with that label or config entry, or those named. ' +
        'Runs until Ctrl-C; --once does one round for cron. Swarm services are scaled to 0. Labels and rules: docs/idle.md.',
    )
    .argument('[name...]')
    .addOption(sharedOption('--interval <duration>', 'how often to sample traffic').default('2s'))
    .option('--idle-timeout <duration>', 'timeout for named containers without berth.idle.timeout')
    .option('--once', 'one round: sample, stop what is idle, save the state, exit')
    .addOption(sharedOption('--state <file>', 'with --once: where the activity seen is kept (default: $XDG_STATE_HOME/berth/watch-idle.json)'))
    .option('--dry-run', 'say what would be stopped, stop nothing');
  addFormatOptions(cmd, ['json', 'table']);
  addOldName(cmd, '--timeout <duration>', '--idle-timeout');
  addConfigOption(cmd);
  addSwarmOptions(cmd);
  addArchiveOption(cmd, "keep services' task logs in DIR before a scale to 0");
  describe(cmd, 'Stop containers idle for their berth.idle.timeout', [
    ['berth watch-idle', 'long-running: stop what has been idle for its timeout'],
    ['berth watch-idle --once', 'for cron: one round, state kept between runs'],
    ['berth watch-idle --once --dry-run', 'say what would be stopped'],
    ['berth watch-idle --stack shop --node n2=ssh://me@n2', "scale a stack's idle services to 0"],
  ]);
  return cmd.action(async (names: string[], opts: WatchIdleOptions) => {
    const intervalMs = parseDurationMs(opts.interval, '--interval');
    if (intervalMs < 100) throw usageError(`--interval: expected at least 100ms (got: ${JSON.stringify(opts.interval)})`);
    if (opts.state && !opts.once) throw usageError('--state: only used with --once');
    const [flag, text] = opts.timeout !== undefined ? ['--timeout', opts.timeout] : ['--idle-timeout', opts.idleTimeout];
    const defaultTimeoutMs = text !== undefined ? parseDurationMs(text, flag) : undefined;
    if (defaultTimeoutMs !== undefined && !names.length && !opts.service?.length) throw usageError(`${flag}: only used with container names or --service (others use their berth.idle.timeout)`);
    const format = pickFormat(opts, !!ctx.io.stdout.isTTY, ['json', 'table']);
    const file = opts.config ? await loadConfigFile(opts.config) : undefined;
    const statePath = opts.state ?? defaultStatePath(ctx.env);
    const provider = await providerFor(ctx, cmd, names, opts, file);
    if (opts.service?.length) names = opts.service;
    const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
    const render = format === 'json' ? (r: IdleRecord) => JSON.stringify(r) : recordLine(makeChalk(ctx.env, !!ctx.io.stdout.isTTY));
    const owner = new LifecycleOwner({
      provider,
      file,
      names,
      ...(defaultTimeoutMs !== undefined ? { defaultTimeoutMs } : {}),
      intervalMs,
      dryRun: !!opts.dryRun,
      actionsOnly: !!opts.once,
      emit: (r) => out.writeLine(render(r) + '\n'),
      warn: (m) => ctx.warn(m),
      claims: new Claims(claimsDir(ctx.env), 'watch-idle'),
    });
    try {
      if (!opts.once) return await owner.run(ctx.signal);
      // One --once run at a time per state file: a second waits, then sees what the first did.
      const onWait = (pid: number) => ctx.warn(`--state: ${statePath} is in use by another watch-idle --once (pid ${pid}); waiting for it`);
      await withStateLock(
        statePath,
        async () => {
          owner.restore(await loadState(statePath));
          await owner.tick(ctx.signal);
          await owner.settle();
          // Saved with --dry-run too: the activity seen is true either way, only the stops were skipped.
          await saveState(statePath, owner.snapshot());
        },
        { signal: ctx.signal, onWait },
      );
    } finally {
      owner.release();
      await out.end();
    }
  });
}

/** Containers (the default), or with --service/--stack a swarm's services (swarm/service-provider.ts): the same lifecycle either way. */
async function providerFor(ctx: CommandContext, cmd: Command, names: string[], opts: WatchIdleOptions, file: ConfigFile | undefined): Promise<Provider> {
  const swarm = !!opts.service?.length || opts.stack !== undefined;
  if (!swarm) {
    if (opts.node?.length) throw usageError('--node says how to reach a swarm node: it goes with --service or --stack');
    if (opts.archive !== undefined) throw usageError('--archive keeps the logs of swarm services scaled to 0: it goes with --service or --stack');
    return new ContainerProvider(await ctx.engine(cmd));
  }
  if (names.length) throw usageError(`--service and --stack manage swarm services: container names cannot be given with them (got: ${names.join(' ')})`);
  const cluster = await ctx.swarmCluster(cmd, opts.node ?? []);
  const [{ ServiceProvider, replicatedCount }, { LogArchive }, { resolveServices }] = await Promise.all([
    import('../core/swarm/service-provider.js'),
    import('../core/swarm/archive.js'),
    import('../core/swarm/cluster.js'),
  ]);
  const warn = (m: string) => ctx.warn(m);
  const engines = cluster.nodes.flatMap((n) => (n.engine ? [n.engine] : []));
  const provider = new ServiceProvider(cluster, {
    ...(file ? { file } : {}),
    ...(opts.stack !== undefined ? { stack: opts.stack } : {}),
    ...(opts.archive !== undefined ? { archive: new LogArchive(opts.archive, engines, warn) } : {}),
    warn,
  });
  // Checked before anything runs, as other commands do: an unknown service or an empty stack is exit 4,
  // a named global service exit 2 (it cannot be scaled to 0 and back).
  await resolveServices(cluster.manager, opts.service ?? [], opts.stack, ctx.signal);
  for (const name of opts.service ?? []) replicatedCount(await provider.inspect(name, ctx.signal));
  return provider;
}

function recordLine(chalk: ReturnType<typeof makeChalk>): (r: IdleRecord) => string {
  const color = { napping: chalk.blue, starting: chalk.yellow, ready: chalk.green, error: chalk.red, unknown: chalk.dim };
  return (r) => {
    const arrow = r.from === r.to ? color[r.to](r.to) : `${color[r.from](r.from)} → ${color[r.to](r.to)}`;
    return `${chalk.dim(r.ts.slice(11, 19))} ${chalk.bold(r.container)} ${arrow}${r.action ? ` [${r.action}]` : ''} ${r.reason}`;
  };
}
