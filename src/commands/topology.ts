/** `berth topology`: a live map of a compose project where every dot is a real event. */
import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import type { Engine } from '../core/engine/engine.js';
import { collectFilters, oneOf, parseDurationMs, parseInteger } from '../core/parse.js';
import { usageError } from '../core/errors.js';
import { pickFormat } from '../core/output/format.js';
import { makeChalk } from '../core/output/colors.js';
import { NdjsonSink } from '../core/output/ndjson.js';
import { DEFAULT_TICK_MS, watchTopology, type TopologyOptions } from '../core/topology/watch.js';
import { LiveView } from '../core/topology/live-view.js';
import { renderFrame } from '../core/topology/render.js';
import type { GroupBy } from '../core/topology/graph.js';
import type { TopologyRecord } from '../core/records.js';
import { statusLine } from '../core/events/watcher.js';
import { addFilterOption, addFormatOptions, describe, addOldName, addProjectOption, addSwarmOptions, sharedOption } from './options.js';

interface TopologyFlags {
  project?: string;
  filter?: string[];
  by: string;
  interval: string;
  tick?: string;
  ticks?: string;
  tcp: boolean;
  tcpSource: string;
  logs: boolean;
  stdin: boolean;
  serve?: string;
  serveTokenFile?: string;
  format?: string;
  json?: boolean;
  service?: string[];
  stack?: string;
  node?: string[];
}

export function makeTopologyCommand(ctx: CommandContext): Command {
  const cmd = new Command('topology')
    .description(
      'A live map of a compose project (or of the named containers): its services, the links between them (depends_on, TCP connections, stdin records) ' +
        'and what happened on each in the last tick (events, log lines, connections). On a terminal a dot crosses a link per event.',
    )
    .argument('[containers...]')
    .addOption(new Option('--by <what>', 'one node per service or per container').choices(['service', 'container']).default('service'))
    .addOption(sharedOption('--interval <duration>', 'how often to print a snapshot').default('5s'))
    .option('--ticks <n>', 'stop after this many snapshots')
    .option('--no-tcp', 'do not count TCP connections')
    .addOption(new Option('--tcp-source <source>', 'auto (conntrack if it can) or proc').choices(['auto', 'proc']).default('auto'))
    .option('--no-logs', 'do not follow log lines')
    .option('--no-stdin', 'ignore stdin even when it is not a terminal')
    .option('--serve <url>', 'a berth serve: its requests feed a "client" node')
    .option('--serve-token-file <file>', "that serve's --token-file, to read its metrics");
  addFilterOption(cmd, 'containers by docker ps keys: name=, label=k=v (repeat)');
  addFormatOptions(cmd, ['json', 'table']);
  addOldName(cmd, '--tick <duration>', '--interval');
  addProjectOption(cmd);
  addSwarmOptions(cmd);
  describe(cmd, 'A live map of a compose project, a dot per real event', [
    ['berth topology --project shop', 'the live map on a terminal'],
    ['berth topology --project shop --json --interval 5s', 'a snapshot every 5 s'],
    ['berth topology --stack shop --node n2=ssh://me@n2', 'a swarm stack'],
  ]);
  return cmd.action(async (names: string[], flags: TopologyFlags) => {
    const o = topologyOptions(ctx, names, flags);
    const format = pickFormat(flags, !!ctx.io.stdout.isTTY, ['json', 'table']);
    let engines: Engine[];
    const scope = await ctx.swarm(cmd, flags, names, o.sel.filters);
    if (scope) {
      engines = scope.engines;
      o.sel = scope.selection;
    } else engines = [await ctx.engine(cmd)];
    o.tcp = tcpAvailable(ctx, engines, o.tcp);
    if (format === 'table' && ctx.io.stdout.isTTY) return drawLive(ctx, engines, o);
    const several = engines.length > 1;
    o.onStatus = (st, e) =>
      ctx.warn(
        statusLine(st, {
          whileDown: 'snapshots go on with engineUp:false while reconnecting',
          onBack: 'events missed meanwhile are counted in this tick',
          ...(several ? { engine: e.swarmNode ?? e.name } : {}),
        }),
      );
    const snapshots = watchTopology(engines, o, ctx.signal);
    return format === 'json' ? writeJson(ctx, snapshots) : drawFrames(ctx, snapshots, titleOf(o));
  });
}

function topologyOptions(ctx: CommandContext, names: string[], f: TopologyFlags): TopologyOptions {
  const [flag, text] = f.tick !== undefined ? ['--tick', f.tick] : ['--interval', f.interval];
  const tickMs = parseDurationMs(text, flag);
  if (tickMs < 100) throw usageError(`${flag}: expected at least 100ms (got: ${JSON.stringify(text)})`);
  const stdin = f.stdin && !ctx.io.stdin.isTTY ? (ctx.io.stdin as AsyncIterable<Buffer>) : undefined;
  return {
    sel: { names, ...(f.project !== undefined ? { project: f.project } : {}), filters: collectFilters(f.filter ?? []) },
    by: oneOf(f.by, '--by', ['service', 'container'] as const) as GroupBy,
    tickMs: tickMs || DEFAULT_TICK_MS,
    ...(f.ticks !== undefined ? { ticks: parseInteger(f.ticks, '--ticks', { min: 1 }) } : {}),
    tcp: f.tcp,
    tcpSource: oneOf(f.tcpSource, '--tcp-source', ['auto', 'proc'] as const),
    logs: f.logs,
    ...(stdin ? { stdin } : {}),
    ...(f.serve !== undefined ? { serve: { url: serveUrl(f.serve), ...(f.serveTokenFile ? { tokenFile: f.serveTokenFile } : {}) } } : {}),
    warn: (m) => ctx.warn(m),
  };
}

function serveUrl(text: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(text) ? text : `http://${text}`;
  try {
    const u = new URL(withScheme);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.toString();
  } catch {
    // reported below
  }
  throw usageError(`--serve: expected berth serve's URL like http://127.0.0.1:8080 (got: ${JSON.stringify(text)})`);
}

/** TCP connections are read from /proc, so only when every engine (a swarm's: every node's) runs on this host. */
function tcpAvailable(ctx: CommandContext, engines: Engine[], wanted: boolean): boolean {
  if (!wanted) return false;
  const far = engines.find((e) => !e.local);
  if (!far && process.platform === 'linux') return true;
  const which = far ? `the engine at ${far.endpoint.host}${far.swarmNode ? ` (node ${far.swarmNode})` : ''}` : 'the engine';
  ctx.warn(`TCP connections are not counted: ${which} is not on this host, so its containers' /proc/<pid>/net/tcp cannot be read`);
  return false;
}

const titleOf = (o: TopologyOptions) =>
  o.sel.project
    ? `project ${o.sel.project}`
    : o.sel.stack !== undefined
      ? `stack ${o.sel.stack}`
      : o.sel.services?.length
        ? `service ${o.sel.services.join(', ')}`
        : o.sel.names.length
          ? o.sel.names.join(', ')
          : 'all containers';

async function writeJson(ctx: CommandContext, snapshots: AsyncIterable<TopologyRecord>): Promise<void> {
  const sink = new NdjsonSink<TopologyRecord>(ctx.io.stdout, ctx.closePipe);
  for await (const s of snapshots) await sink.write(s);
  await sink.end();
}

/** The live map; diagnostics go into the view while it is up (stderr is the same terminal), then to stderr. */
async function drawLive(ctx: CommandContext, engines: Engine[], o: TopologyOptions): Promise<void> {
  const view = new LiveView(ctx.io.stdout, makeChalk(ctx.env, true), titleOf(o));
  view.start();
  try {
    for await (const s of watchTopology(engines, { ...o, warn: (m) => view.note(m) }, ctx.signal)) view.update(s);
  } finally {
    view.close();
    for (const n of view.notes) ctx.warn(n);
  }
}

/** --format table on a pipe: one still frame per tick (no motion without a terminal). */
async function drawFrames(ctx: CommandContext, snapshots: AsyncIterable<TopologyRecord>, title: string): Promise<void> {
  const chalk = makeChalk(ctx.env, false);
  const sink = new NdjsonSink(ctx.io.stdout, ctx.closePipe);
  for await (const s of snapshots) await sink.lines.writeLine(renderFrame(s, -1, { width: 100, height: 1000, chalk, title }).join('\n') + '\n\n');
  await sink.end();
}
