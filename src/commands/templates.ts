/** `berth templates`: the kinds of lines in a log, how often each happens, and which are new. */
import { Command, Option } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT, isAbortError, usageError } from '../core/errors.js';
import type { LogsPlan } from '../core/logs/pipeline.js';
import { cliSelection } from '../core/engine/select.js';
import { makeChalk } from '../core/output/colors.js';
import { pickFormat, terminalSize, type Format } from '../core/output/format.js';
import { LineWriter } from '../core/output/ndjson.js';
import { collectFilters, parseDurationMs, parseInteger, parseSize, parseTail, parseTimePoint, sizeText } from '../core/parse.js';
import type { TemplateRecord } from '../core/records.js';
import { DEFAULT_MAX_LINE_BYTES } from '../core/stream/lines.js';
import { TemplatesJob, type TemplateSink } from '../core/templates/job.js';
import { MINER_DEFAULTS, TemplateMiner, type MinerOptions } from '../core/templates/miner.js';
import { Groups } from '../core/templates/observe.js';
import { templatesTable } from '../core/templates/render.js';
import { nowTs, runContainers, runStdin, startTicker, type RunOptions } from '../core/templates/run.js';
import { fromSaved, loadState, saveState, toState } from '../core/templates/state.js';
import { addFilterOption, addFormatOptions, describe, addOldName, addProjectOption, sharedOption } from './options.js';

interface TemplatesOptions {
  follow?: boolean;
  interval: string;
  every?: string;
  tail?: string;
  since?: string;
  until?: string;
  project?: string;
  filter?: string[];
  merge?: boolean;
  annotate?: boolean;
  state?: string;
  maxTemplates: string;
  depth: string;
  similarity: string;
  maxChildren: string;
  maxLineBytes: string;
  format?: string;
  json?: boolean;
}

export function makeTemplatesCommand(ctx: CommandContext): Command {
  const cmd = new Command('templates')
    .description(
      'Group log lines into templates ("user <*> logged in from <*>") and count them: the kinds of lines a log has, ' +
        "how often each happens, which are new. Reads `berth logs --json` or plain text on stdin, or the named containers' logs.",
    )
    .argument('[containers...]')
    .addOption(sharedOption('-n, --tail <n>', 'lines from the end of each log, or "all"').default('all'))
    .addOption(sharedOption('--since <time>', 'from a time on: 10m (ago), RFC 3339 or Unix time'))
    .addOption(sharedOption('--until <time>', 'up to a time, as --since takes it'))
    .option('--annotate', 'print every line with its template id and template')
    .option('--merge', 'one set of templates for all containers')
    .addOption(sharedOption('-f, --follow', "keep reading the containers' logs"))
    .addOption(sharedOption('--interval <duration>', 'with -f: how often to print what changed').default('10s'))
    .addOption(sharedOption('--state <file>', 'keep the templates and their ids in FILE'))
    .addOption(new Option('--max-templates <n>', 'bound on templates kept; beyond it the least recently matched are evicted').default(String(MINER_DEFAULTS.maxTemplates)))
    .addOption(new Option('--similarity <0..1>', "share of a template's words a line must match to join it").default(String(MINER_DEFAULTS.similarity)))
    .addOption(new Option('--depth <n>', 'parse tree depth: lines are routed by token count and the first depth-2 words').default(String(MINER_DEFAULTS.depth)))
    .addOption(new Option('--max-children <n>', 'children per tree node before new words share the <*> branch').default(String(MINER_DEFAULTS.maxChildren)))
    .addOption(sharedOption('--max-line-bytes <size>', 'longest line kept whole; a longer line is cut there and marked').default(sizeText(DEFAULT_MAX_LINE_BYTES)));
  addFilterOption(cmd, 'containers by docker ps keys: name=, label=k=v (repeat)');
  addFormatOptions(cmd, ['json', 'table']);
  addOldName(cmd, '--every <duration>', '--interval');
  addProjectOption(cmd);
  describe(
    cmd,
    'Group log lines into templates and count them',
    [
      ['cat app.log | berth templates', 'the kinds of lines, by count'],
      ['berth logs web --json | berth templates --annotate', 'each line with its template id'],
      ['berth templates web --follow --interval 10s', 'new and changed templates as they happen'],
      ['berth templates --state ~/.cache/app.templates < today.log', 'stable ids from run to run'],
    ],
    { tuning: ['--max-templates', '--similarity', '--depth', '--max-children', '--max-line-bytes'] },
  );
  return cmd.action(async (names: string[], opts: TemplatesOptions) => {
    const flags = parseFlags(ctx, opts);
    const useStdin = names.length === 0 && !opts.project && !opts.filter?.length && !ctx.io.stdin.isTTY;
    const plan = useStdin ? undefined : await containerPlan(ctx, cmd, names, opts, flags.query);
    const miner = new TemplateMiner(flags.miner);
    if (opts.state) restoreState(miner, opts.state);
    const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
    const job = new TemplatesJob(miner, makeSink(ctx, out, flags.format), !!opts.annotate);
    const save = opts.state ? () => saveState(opts.state!, toState(miner.store.values(), miner.nextId, miner.opts)) : () => {};
    await feed(ctx, job, plan, flags, save);
    // The results go out before the save, so a save that fails (disk full) loses no output.
    if (!ctx.pipeClosed) await job.finish(nowTs(), !!opts.follow);
    await out.end();
    save();
    if (plan) ctx.engineReport(plan.engines);
    if (miner.store.evicted > 0) ctx.warn(`--max-templates ${miner.opts.maxTemplates}: evicted ${miner.store.evicted} least recently matched templates`);
  });
}

interface Flags {
  miner: MinerOptions;
  format: Format;
  run: RunOptions;
  maxLineBytes: number;
  query: LogsPlan['query'];
}

/** Every flag checked before anything runs. */
function parseFlags(ctx: CommandContext, opts: TemplatesOptions): Flags {
  const [flag, text] = opts.every !== undefined ? ['--every', opts.every] : ['--interval', opts.interval];
  const everyMs = parseDurationMs(text, flag);
  if (everyMs < 100) throw usageError(`${flag}: expected at least 100ms (got: ${JSON.stringify(text)})`);
  return {
    miner: parseMinerOptions(opts),
    format: pickFormat(opts, !!ctx.io.stdout.isTTY, ['json', 'table']),
    run: { groups: new Groups(!!opts.merge), follow: !!opts.follow, everyMs, annotate: !!opts.annotate, warn: (m) => ctx.warn(m) },
    maxLineBytes: parseSize(opts.maxLineBytes, '--max-line-bytes', { min: 1 }),
    query: containerQuery(opts),
  };
}

/** Runs the source into the job until it ends, or until Ctrl-C or a closed pipe (not errors: the caller still finishes). */
async function feed(ctx: CommandContext, job: TemplatesJob, plan: LogsPlan | undefined, f: Flags, save: () => void): Promise<void> {
  const saveQuietly = () => {
    try {
      save();
    } catch (err) {
      ctx.warn((err as Error).message);
    }
  };
  const stopTicker = f.run.follow ? startTicker(job, f.run.everyMs, saveQuietly) : () => {};
  try {
    if (plan) await runContainers(job, plan, f.run, ctx.signal);
    else await runStdin(job, ctx.io.stdin, f.maxLineBytes, f.run, ctx.signal);
  } catch (err) {
    if (!(ctx.signal.aborted && isAbortError(err))) throw err;
  } finally {
    stopTicker();
  }
}

function parseMinerOptions(o: TemplatesOptions): MinerOptions {
  const similarity = Number(o.similarity);
  if (!/^\s*(?:0|1|0?\.\d+|1\.0*)\s*$/.test(o.similarity) || !(similarity >= 0 && similarity <= 1)) {
    throw usageError(`--similarity: expected a number from 0 to 1 (got: ${JSON.stringify(o.similarity)})`);
  }
  return {
    similarity,
    depth: parseInteger(o.depth, '--depth', { min: 2, max: 16 }),
    maxChildren: parseInteger(o.maxChildren, '--max-children', { min: 2 }),
    maxTemplates: parseInteger(o.maxTemplates, '--max-templates', { min: 1 }),
  };
}

/** The container logs' query (--tail, --since, --until): checked even when stdin is read, so a typo is never ignored. */
function containerQuery(o: TemplatesOptions): LogsPlan['query'] {
  const query: LogsPlan['query'] = {};
  const tail = o.tail === undefined ? undefined : parseTail(o.tail);
  if (tail !== undefined) query.tail = tail;
  if (o.since !== undefined) query.since = parseTimePoint(o.since, '--since');
  if (o.until !== undefined) query.until = parseTimePoint(o.until, '--until');
  return query;
}

async function containerPlan(ctx: CommandContext, cmd: Command, names: string[], o: TemplatesOptions, query: LogsPlan['query']): Promise<LogsPlan> {
  const selection = cliSelection(names, o.project, collectFilters(o.filter ?? []));
  const engines = await ctx.engines(cmd);
  return { engines, selection, query, follow: !!o.follow, windowMs: 0, onStatus: (m) => ctx.warn(m), onFailed: () => (ctx.exitCode = EXIT.failure) };
}

function restoreState(miner: TemplateMiner, file: string): void {
  const state = loadState(file);
  if (!state) return;
  for (const t of state.templates) miner.restore(fromSaved(t));
  if (state.nextId > miner.nextId) miner.nextId = state.nextId;
}

function makeSink(ctx: CommandContext, out: LineWriter, format: Format): TemplateSink {
  const chalk = makeChalk(ctx.env, !!ctx.io.stdout.isTTY);
  const width = terminalSize(ctx.io.stdout, { columns: 120, rows: 24 }).columns;
  return {
    text: (chunk) => out.writeLine(chunk),
    templates: (recs: TemplateRecord[], final: boolean) => {
      if (format === 'json') return out.writeLine(recs.map((r) => JSON.stringify(r)).join('\n') + '\n');
      const title = final ? '' : chalk.dim(`${recs[0]?.ts.slice(11, 19) ?? ''}  ${recs.length} changed\n`);
      return out.writeLine(title + templatesTable(recs, chalk, width));
    },
  };
}
