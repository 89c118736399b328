/** `berth logs`: merged, time-ordered, severity-aware logs of many containers. */
import { Command } from 'commander';
import type { CommandContext } from '../context.js';
import type { Engine } from '../core/engine/engine.js';
import type { Target } from '../core/engine/select.js';
import { LogAnalytics } from '../core/logs/analytics.js';
import { parseLevel, parseRegex, type LineFilter } from '../core/logs/filter.js';
import { LiveHeader } from '../core/logs/summary-header.js';
import { logBatches, type LogsPlan } from '../core/logs/pipeline.js';
import { rawPassthrough } from '../core/logs/raw.js';
import { countsLine, LineRenderer, summaryTables } from '../core/logs/render.js';
import { DEFAULT_REORDER_MS } from '../core/logs/reorder.js';
import { BatchSink, jsonFormatter, rawFormatter, tableFormatter } from '../core/logs/sink.js';
import type { LogQuery } from '../core/logs/source.js';
import { makeChalk } from '../core/output/colors.js';
import { pickFormat, type Format } from '../core/output/format.js';
import { LineWriter } from '../core/output/ndjson.js';
import { collectFilters, nanosToRfc3339, parseDurationMs, parseSize, parseTail, parseTimePoint, sizeText } from '../core/parse.js';
import { EXIT, usageError } from '../core/errors.js';
import { byTs, type LogLine } from '../core/logs/line.js';
import { cliSelection, listTargets } from '../core/engine/select.js';
import { addFilterOption, addFormatOptions, describe, addProjectOption, addSwarmOptions, addArchiveOption, sharedOption } from './options.js';
import type { SwarmScope } from '../core/swarm/scope.js';
import { managerLogBatches } from '../core/swarm/service-logs.js';
import type { UnorderedSource } from '../core/logs/unordered.js';

export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  level?: string;
  grep?: string;
  exclude?: string;
  prefix: boolean;
  project?: string;
  filter?: string[];
  format?: string;
  json?: boolean;
  summary?: boolean;
  reorderWindow?: string;
  maxLineBytes?: string;
  service?: string[];
  stack?: string;
  node?: string[];
  archive?: string;
}

export function makeLogsCommand(ctx: CommandContext): Command {
  const cmd = new Command('logs')
    .description(
      'Merge the logs of containers in time order, each line with its severity. No container named: all running ones. ' +
        'With -f, containers that start later join and restarted ones resume where they left off.',
    )
    .argument('[containers...]')
    .addOption(sharedOption('-f, --follow', 'keep following, through restarts and new containers'))
    .addOption(sharedOption('-n, --tail <n>', 'lines from the end of each log, or "all"').default('all'))
    .addOption(sharedOption('--since <time>', 'from a time on: 10m (ago), RFC 3339 or Unix time'))
    .addOption(sharedOption('--until <time>', 'up to a time, as --since takes it'))
    .option('--level <level>', 'minimum severity: error, warn, info, debug, other')
    .option('--grep <regex>', 'only lines whose message matches')
    .option('--exclude <regex>', 'hide lines whose message matches')
    .option('-t, --timestamps', 'show full timestamps (RFC 3339, nanoseconds)')
    .option('--no-prefix', 'no container name before each line (table)')
    .option('--summary', 'severity counts per container at the end')
    .option('--reorder-window <duration>', 'with --follow: how long a line is held to put lines of several containers in time order', `${DEFAULT_REORDER_MS}ms`)
    .addOption(sharedOption('--max-line-bytes <size>', 'longest line kept whole; a longer line is cut there and marked').default(sizeText(DEFAULT_MAX_LINE_BYTES)));
  addFilterOption(cmd, 'containers by docker ps keys: name=, label=k=v (repeat)');
  addFormatOptions(cmd, ['json', 'table', 'raw']);
  addProjectOption(cmd);
  addSwarmOptions(cmd);
  addArchiveOption(cmd, "also the kept logs of swarm services' tasks in DIR");
  describe(
    cmd,
    'Merged, time-ordered logs of containers, with severity',
    [
      ['berth logs --project shop -f', 'a compose project, followed'],
      ['berth logs web api --since 10m --level warn', 'WARN and ERROR'],
      ['berth logs --project shop --json | jq -r \'select(.level=="ERROR") | .msg\'', 'errors, for jq'],
      ['berth logs --format raw web > web.log', 'as docker logs gives'],
      ['berth logs --service web -f --node n2=ssh://me@n2', 'a swarm service'],
    ],
    { selection: ['--archive'], tuning: ['--reorder-window', '--max-line-bytes'] },
  );
  return cmd.action(async (names: string[], opts: LogsOptions) => {
    const query = parseQuery(opts);
    const filter = parseFilter(opts);
    const format = pickFormat(opts, !!ctx.io.stdout.isTTY, ['json', 'table', 'raw']);
    const windowMs = parseDurationMs(opts.reorderWindow ?? `${DEFAULT_REORDER_MS}ms`, '--reorder-window');
    const filters = collectFilters(opts.filter ?? []);
    const onStatus = (m: string) => ctx.warn(m);
    let plan: LogsPlan;
    const scope = await ctx.swarm(cmd, opts, names, filters);
    if (scope) {
      plan = { engines: scope.engines, selection: scope.selection, query, follow: !!opts.follow, windowMs, onStatus, swarm: true };
      if (scope.blind.length) plan.unordered = managerLogs(scope, onStatus);
      if (opts.archive !== undefined) plan.archived = archivedLines(opts.archive, scope, query);
    } else {
      if (opts.archive !== undefined) throw usageError('--archive reads the kept logs of swarm services: it goes with --service or --stack');
      const selection = cliSelection(names, opts.project, filters);
      const engines = await ctx.engines(cmd);
      const passthrough = format === 'raw' && !opts.follow && !filter && !opts.summary;
      if (passthrough) {
        const targets = await listTargets(engines, selection, ctx.signal);
        if (targets.length === 1) return runRaw(ctx, targets[0]!, { ...query, timestamps: !!opts.timestamps });
      }
      plan = { engines, selection, query, follow: !!opts.follow, windowMs, onStatus };
    }
    plan.onFailed = () => (ctx.exitCode = EXIT.failure);
    await runLines(ctx, plan, format, opts, filter);
    ctx.engineReport(plan.engines);
  });
}

function parseQuery(opts: LogsOptions): LogQuery {
  const q: LogQuery = { maxLineBytes: parseSize(opts.maxLineBytes ?? String(DEFAULT_MAX_LINE_BYTES), '--max-line-bytes', { min: 1 }) };
  const tail = opts.tail === undefined ? undefined : parseTail(opts.tail);
  if (tail !== undefined) q.tail = tail;
  if (opts.since !== undefined) q.since = parseTimePoint(opts.since, '--since');
  if (opts.until !== undefined) q.until = parseTimePoint(opts.until, '--until');
  return q;
}

function parseFilter(opts: LogsOptions): LineFilter | undefined {
  if (opts.level === undefined && opts.grep === undefined && opts.exclude === undefined) return undefined;
  const f: LineFilter = {};
  if (opts.level !== undefined) f.minLevel = parseLevel(opts.level);
  if (opts.grep !== undefined) f.grep = parseRegex(opts.grep, '--grep');
  if (opts.exclude !== undefined) f.exclude = parseRegex(opts.exclude, '--exclude');
  return f;
}

/** The manager's logs of the tasks on nodes berth cannot reach (swarm/service-logs.ts). */
function managerLogs(scope: SwarmScope, onStatus: (m: string) => void): UnorderedSource {
  return (query, follow, signal) => managerLogBatches({ manager: scope.cluster.manager, services: scope.services, nodes: scope.blind, query, follow, onStatus }, signal);
}

/** The archived lines of the selected services (swarm/archive.ts), within --since/--until, in time order. */
function archivedLines(dir: string, scope: SwarmScope, q: LogQuery): () => AsyncGenerator<LogLine[]> {
  return async function* () {
    const { readArchive } = await import('../core/swarm/archive.js');
    const since = q.since !== undefined ? nanosToRfc3339(q.since) : undefined;
    const until = q.until !== undefined ? nanosToRfc3339(q.until) : undefined;
    const lines = scope.services
      .flatMap((s) => readArchive(dir, s.name, scope.cluster.manager))
      .filter((l) => (since === undefined || l.ts >= since) && (until === undefined || l.ts < until))
      .sort(byTs);
    if (lines.length) yield lines;
  };
}

async function runRaw(ctx: CommandContext, target: Target, q: LogQuery): Promise<void> {
  const onError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') ctx.closePipe();
  };
  ctx.io.stdout.on('error', onError);
  try {
    await rawPassthrough(target, q, { stdout: ctx.io.stdout, stderr: ctx.io.stderr, onEngineError: (t) => (ctx.warn(t), (ctx.exitCode = EXIT.failure)) }, ctx.signal);
  } finally {
    ctx.io.stdout.off('error', onError);
  }
}

async function runLines(ctx: CommandContext, plan: LogsPlan, format: Format, opts: LogsOptions, filter: LineFilter | undefined): Promise<void> {
  // A swarm's records name the node (`node`), not the engine.
  const several = plan.engines.length > 1 && !plan.swarm;
  const engineOf = several ? (t: Target) => (t.engine as Engine).name : undefined;
  const chalk = makeChalk(ctx.env, !!ctx.io.stdout.isTTY);
  const analytics = opts.summary ? new LogAnalytics() : undefined;
  const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
  const renderer = new LineRenderer(chalk, { prefix: opts.prefix, timestamps: !!opts.timestamps, engineOf });
  const formatter = format === 'json' ? jsonFormatter(engineOf) : format === 'table' ? tableFormatter(renderer) : rawFormatter(!!opts.timestamps);
  const err = format === 'raw' ? new LineWriter(ctx.io.stderr) : undefined;
  const sink = new BatchSink(out, formatter, { filter, analytics, engineOf }, err);
  plan.onTarget = (t) => (renderer.reserve([t]), analytics?.track(t));
  const header = analytics && opts.follow && format === 'table' && ctx.io.stdout.isTTY ? new LiveHeader(ctx.io.stdout, () => countsLine(chalk, analytics.lines, analytics.total)) : undefined;
  header?.start();
  try {
    for await (const batch of logBatches(plan, ctx.signal)) {
      const w = sink.write(batch);
      if (w) await w;
    }
  } finally {
    header?.stop();
  }
  // In raw mode stdout carries only the containers' bytes (a file of them stays a log file): the summary goes to stderr.
  if (analytics && !ctx.pipeClosed) await writeSummary(err ?? out, analytics, format, engineOf);
  await sink.end();
}

async function writeSummary(out: LineWriter, a: LogAnalytics, format: Format, engineOf?: (t: Target) => string | undefined): Promise<void> {
  if (format !== 'json') return out.writeLine('\n' + summaryTables(a));
  const ts = nanosToRfc3339(BigInt(Date.now()) * 1_000_000n);
  for (const r of a.records(ts, engineOf)) await out.writeLine(JSON.stringify(r) + '\n');
}
