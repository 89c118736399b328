/**
 * `berth serve`: the wake-on-request proxy. Flags are parsed and checked
 * here; everything else is src/core/proxy. Prints its records (serve, wake,
 * idle) as NDJSON, or as lines on a TTY.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { BerthError, usageError } from '../core/errors.js';
import { collectFilters, parseDurationMs, parseInteger } from '../core/parse.js';
import { pickFormat } from '../core/output/format.js';
import { LineWriter } from '../core/output/ndjson.js';
import { loadConfigFile } from '../core/idle/config-file.js';
import { ContainerProvider } from '../core/idle/provider.js';
import { UnitResolver } from '../core/idle/unit-resolver.js';
import { createWakePath, type UnitSource } from '../core/idle/wake.js';
import { Claims, claimsDir } from '../core/idle/claims.js';
import { parseCidrs } from '../core/proxy/access.js';
import { parseBytes, parseListen } from '../core/proxy/listen.js';
import { formatServeLine } from '../core/proxy/record-line.js';
import { containerBackend, serve, type ServeOptions } from '../core/proxy/server.js';
import { addFilterOption, addFormatOptions, collect, describe, addConfigOption, addSwarmFlag, addSwarmOptions, addArchiveOption } from './options.js';
import type { ConfigFile } from '../core/idle/config-file.js';
import type { Engine } from '../core/engine/engine.js';
import type { Provider, WakePath } from '../core/idle/types.js';
import type { RouteBackend } from '../core/proxy/server.js';

interface ServeFlags {
  listen: string;
  apiListen?: string;
  config?: string;
  allow?: string[];
  deny?: string[];
  trustedProxy?: string[];
  tokenFile?: string;
  wakeTimeout?: string;
  holdBody: string;
  statsInterval: string;
  statsExpiry: string;
  maxHeaderSize: string;
  headerTimeout: string;
  clientTimeout: string;
  keepAliveTimeout: string;
  shutdownTimeout: string;
  maxSubscribers: string;
  idleInterval: string;
  filter?: string[];
  format?: string;
  json?: boolean;
  swarm?: boolean;
  stack?: string;
  node?: string[];
  archive?: string;
}

export function makeServeCommand(ctx: CommandContext): Command {
  const cmd = new Command('serve')
    .description(
      '  berth serve --listen :8080\n\n' +
        'Proxy requests to containers by their berth.proxy.* labels (or --config), starting a stopped one on its first request ' +
        'and stopping it again when idle. Browsers see a loading page meanwhile. Setup: docs/gate.md.',
    )
    .option('--listen <addr>', 'HOST:PORT or PORT', '127.0.0.1:8080')
    .option('--api-listen <addr>', 'address of the wake gate for nginx, Caddy, Traefik')
    .addOption(new Option('--allow <cidr>', 'only these clients may use the routes (repeat)').argParser(collect))
    .addOption(new Option('--deny <cidr>', 'refuse these clients (repeat; wins)').argParser(collect))
    .addOption(new Option('--trusted-proxy <cidr>', 'believe X-Forwarded-* only from these').argParser(collect))
    .option('--token-file <file>', 'bearer token for /$berth/ status and details')
    .option('--wake-timeout <duration>', 'wake budget (default: berth.idle.wake_timeout)')
    .option('--hold-body <size>', 'request body held per request while a container wakes; larger bodies get 413', '1m')
    .option('--stats-interval <duration>', 'sampling interval of the stats history API', '3s')
    .option('--stats-expiry <duration>', 'stop sampling a container after this long without a request for it', '30m')
    .option('--max-header-size <size>', 'largest request head accepted (431 past it)', '16k')
    .option('--header-timeout <duration>', 'time a client has to send its request head', '10s')
    .option('--client-timeout <duration>', 'close a client connection idle (no bytes either way) for this long; 0 = never', '2m')
    .option('--keep-alive-timeout <duration>', 'close an idle keep-alive client connection after this long', '5s')
    .option('--shutdown-timeout <duration>', 'on SIGTERM/Ctrl-C, wait this long for in-flight requests before closing them', '10s')
    .option('--max-subscribers <n>', 'most wake-event (SSE) subscribers at once', '256')
    .option('--idle-interval <duration>', 'time between idle decisions (routes and the dependencies they woke sleep within their timeout plus this)', '1s');
  addFilterOption(cmd, 'containers that may be routes (repeat)');
  addFormatOptions(cmd, ['json', 'table']);
  addConfigOption(cmd);
  addSwarmFlag(cmd, 'route to swarm services, not containers');
  addSwarmOptions(cmd, { service: false });
  addArchiveOption(cmd, "keep services' task logs in DIR before a scale to 0");
  describe(
    cmd,
    'Wake-on-request proxy with a loading page',
    [
      ['berth serve --listen 127.0.0.1:8080', 'routes from berth.proxy.* labels'],
      ['berth serve --config berth.yml --json', 'routes from a file, records as NDJSON'],
      ['berth serve --stack shop --listen :80', "a swarm stack's services as routes"],
    ],
    {
      tuning: [
        '--hold-body',
        '--max-header-size',
        '--header-timeout',
        '--client-timeout',
        '--keep-alive-timeout',
        '--shutdown-timeout',
        '--idle-interval',
        '--stats-interval',
        '--stats-expiry',
        '--max-subscribers',
      ],
    },
  );
  return cmd.action(async (flags: ServeFlags) => {
    const format = pickFormat(flags, !!ctx.io.stdout.isTTY, ['json', 'table']);
    const partial = await parseFlags(flags);
    const engine = await ctx.engine(cmd);
    const file = flags.config ? await loadConfigFile(flags.config) : undefined;
    const { provider, units, wakes, backend } = await unitsFor(ctx, cmd, engine, flags, file);
    const out = new LineWriter(ctx.io.stdout, () => {});
    await serve(
      {
        ...partial,
        engine,
        backend,
        ...(file ? { file } : {}),
        wakes,
        units,
        provider,
        claims: new Claims(claimsDir(ctx.env), 'serve'),
        record: (r) => void out.writeLine(format === 'json' ? JSON.stringify(r) + '\n' : formatServeLine(r) + '\n'),
        warn: (m) => ctx.warn(m),
      },
      ctx.signal,
    );
    await out.end();
  });
}

/**
 * Containers of the engine (the default), or with --swarm/--stack the swarm's services: their own
 * provider (scale to 0 and back), units for the wake path, and routes found by the services' labels and
 * reached at their tasks (swarm/endpoints.ts). The lifecycle and the wake path are the same code.
 */
async function unitsFor(
  ctx: CommandContext,
  cmd: Command,
  engine: Engine,
  flags: ServeFlags,
  file: ConfigFile | undefined,
): Promise<{ provider: Provider; units: UnitSource; wakes: WakePath; backend: RouteBackend }> {
  const swarm = !!flags.swarm || flags.stack !== undefined;
  if (!swarm) {
    if (flags.node?.length) throw usageError('--node says how to reach a swarm node: it goes with --swarm or --stack');
    if (flags.archive !== undefined) throw usageError('--archive keeps the logs of swarm services scaled to 0: it goes with --swarm or --stack');
    const provider = new ContainerProvider(engine);
    const units = new UnitResolver(provider, file, (m) => ctx.warn(m));
    return { provider, units, wakes: createWakePath({ resolver: units }), backend: containerBackend(engine, provider) };
  }
  if (flags.filter?.length) throw usageError('--filter narrows containers: with --swarm or --stack, the routes are services (narrow them with --stack)');
  const cluster = await ctx.swarmCluster(cmd, flags.node ?? []);
  // A stack with no service is not found (exit 4), as for logs, stats and watch-idle (docs/swarm.md).
  if (flags.stack !== undefined) await (await import('../core/swarm/cluster.js')).resolveServices(cluster.manager, [], flags.stack, ctx.signal);
  const [{ ServiceProvider }, { ServiceUnits }, { LogArchive }, { ServiceEndpoints, waitAccepting, ENDPOINTS_TTL_MS }, { discoverServiceRoutes }] = await Promise.all([
    import('../core/swarm/service-provider.js'),
    import('../core/swarm/service-units.js'),
    import('../core/swarm/archive.js'),
    import('../core/swarm/endpoints.js'),
    import('../core/swarm/service-routes.js'),
  ]);
  const warn = (m: string) => ctx.warn(m);
  const engines = cluster.nodes.flatMap((n) => (n.engine ? [n.engine] : []));
  const provider = new ServiceProvider(cluster, {
    ...(file ? { file } : {}),
    ...(flags.stack !== undefined ? { stack: flags.stack } : {}),
    ...(flags.archive !== undefined ? { archive: new LogArchive(flags.archive, engines, warn) } : {}),
    warn,
  });
  const endpoints = new ServiceEndpoints(cluster);
  const units = new ServiceUnits(provider, file, warn);
  return {
    provider,
    units,
    wakes: createWakePath({ resolver: units }),
    backend: {
      discover: (f, _filters, signal) => discoverServiceRoutes(cluster.manager, f, flags.stack, signal),
      events: { engine: cluster.manager, kind: 'service' },
      upstreams: { portInWake: false, ttlMs: ENDPOINTS_TTL_MS, resolve: (name, port, signal) => endpoints.resolve(name, port, signal), ready: waitAccepting },
      noStats: (name) => `the stats history is kept for containers; for service ${name} use: berth stats --service ${name}`,
    },
  };
}

type Parsed = Omit<ServeOptions, 'engine' | 'backend' | 'file' | 'wakes' | 'units' | 'provider' | 'claims' | 'record' | 'warn'>;

async function parseFlags(f: ServeFlags): Promise<Parsed> {
  const listen = parseListen(f.listen);
  const dur = (v: string, flag: string) => parseDurationMs(v, flag);
  return {
    host: listen.host,
    filters: collectFilters(f.filter ?? []),
    port: listen.port,
    ...(f.apiListen !== undefined ? { api: parseListen(f.apiListen, '--api-listen') } : {}),
    access: { allow: parseCidrs(f.allow ?? [], '--allow'), deny: parseCidrs(f.deny ?? [], '--deny') },
    ...trusted(parseCidrs(f.trustedProxy ?? [], '--trusted-proxy')),
    ...(f.tokenFile ? { token: await readToken(f.tokenFile) } : {}),
    ...(f.wakeTimeout ? { wakeTimeoutMs: positive(dur(f.wakeTimeout, '--wake-timeout'), '--wake-timeout', f.wakeTimeout) } : {}),
    holdBodyLimit: parseBytes(f.holdBody, '--hold-body'),
    statsIntervalMs: positive(dur(f.statsInterval, '--stats-interval'), '--stats-interval', f.statsInterval),
    statsExpiryMs: positive(dur(f.statsExpiry, '--stats-expiry'), '--stats-expiry', f.statsExpiry),
    maxHeaderSize: parseBytes(f.maxHeaderSize, '--max-header-size'),
    headersTimeoutMs: positive(dur(f.headerTimeout, '--header-timeout'), '--header-timeout', f.headerTimeout),
    clientIdleTimeoutMs: dur(f.clientTimeout, '--client-timeout'),
    keepAliveTimeoutMs: positive(dur(f.keepAliveTimeout, '--keep-alive-timeout'), '--keep-alive-timeout', f.keepAliveTimeout),
    shutdownTimeoutMs: dur(f.shutdownTimeout, '--shutdown-timeout'),
    maxSseSubscribers: parseInteger(f.maxSubscribers, '--max-subscribers', { min: 1 }),
    idleIntervalMs: atLeast(dur(f.idleInterval, '--idle-interval'), 100, '--idle-interval', f.idleInterval),
  };
}

function atLeast(ms: number, min: number, flag: string, text: string): number {
  if (ms < min) throw usageError(`${flag}: expected at least ${min}ms (got: ${JSON.stringify(text)})`);
  return ms;
}

const trusted = (list: ServeOptions['trustedProxies']) => (list ? { trustedProxies: list } : {});

function positive(ms: number, flag: string, text: string): number {
  if (ms <= 0) throw usageError(`${flag}: expected a duration greater than 0 (got: ${JSON.stringify(text)})`);
  return ms;
}

async function readToken(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new BerthError('NOT_FOUND', `--token-file: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  const token = text.trim();
  if (!token || /\s/.test(token)) throw usageError(`--token-file: ${path} must hold one token on one line`);
  return token;
}
