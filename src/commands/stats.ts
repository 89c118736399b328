/** `berth stats`: docker's numbers plus rates and history, as NDJSON, a table, or a live view with sparklines. */
import { Command } from 'commander';
import type { CommandContext } from '../context.js';
import type { Engine } from '../core/engine/engine.js';
import { cliSelection, emptySelection, type Selection } from '../core/engine/select.js';
import { BerthError, usageError } from '../core/errors.js';
import { statsNote, statsRefusal } from '../core/engine/podman.js';
import { pickFormat, type Format } from '../core/output/format.js';
import { collectFilters, nanosToRfc3339, parseDurationMs, parseInteger } from '../core/parse.js';
import { DEFAULT_HISTORY } from '../core/stats/history.js';
import { snapshot } from '../core/stats/snapshot.js';
import { toStatsRecord, toStoppedRecord } from '../core/stats/record.js';
import { LineWriter } from '../core/output/ndjson.js';
import { addFilterOption, addFormatOptions, describe, addProjectOption, addSwarmOptions, sharedOption } from './options.js';
import type { ServiceTally } from '../core/swarm/service-stats.js';

interface StatsOptions {
  project?: string;
  filter?: string[];
  stream: boolean;
  interval: string;
  history: string;
  format?: string;
  json?: boolean;
  service?: string[];
  stack?: string;
  node?: string[];
}

export interface StatsPlan {
  sel: Selection;
  intervalMs: number;
  history: number;
  format: Format;
  stream: boolean;
  swarm?: { tally: ServiceTally };
}

export function makeStatsCommand(ctx: CommandContext): Command {
  const cmd = new Command('stats')
    .description(
      "The named containers' (or all running ones') CPU, memory, network and block I/O, as `docker stats` computes them, with rates and a history. " +
        'On a terminal: a live table with sparklines; otherwise one NDJSON record per container per interval.',
    )
    .argument('[containers...]')
    .option('--no-stream', 'print one sample per container and exit')
    .addOption(sharedOption('--interval <duration>', 'how often to sample').default('1s'))
    .option('--history <n>', 'samples kept per container for the sparklines', String(DEFAULT_HISTORY));
  addFilterOption(cmd, 'containers by docker ps keys: name=, label=k=v (repeat)');
  addFormatOptions(cmd, ['json', 'table']);
  addProjectOption(cmd);
  addSwarmOptions(cmd);
  describe(cmd, 'CPU, memory, network and block I/O as docker stats computes them', [
    ['berth stats', 'a live table with history'],
    ["berth stats --no-stream --json | jq -c '{name, cpuPercent, memPercent}'", 'one reading, for jq'],
    ['berth stats --project shop --interval 5s --format table >> stats.log', 'a reading every 5 s, appended'],
    ['berth stats --service web --no-stream --json', "a swarm service's tasks on every node, and their sums"],
  ]);
  return cmd.action(async (names: string[], opts: StatsOptions) => {
    const plan = planStats(names, opts, !!ctx.io.stdout.isTTY);
    let engines: Engine[];
    const scope = await ctx.swarm(cmd, opts, names, plan.sel.filters);
    if (scope) {
      engines = scope.engines;
      plan.sel = scope.selection;
      const { ServiceTally } = await import('../core/swarm/service-stats.js');
      plan.swarm = { tally: new ServiceTally(scope.cluster.manager, scope.services, scope.blind) };
    } else engines = await ctx.engines(cmd);
    for (const e of engines) {
      if (e.flavor !== 'podman') continue;
      const refusal = await statsRefusal(e, ctx.signal);
      if (refusal) throw new BerthError('FAILED', `stats: ${engines.length > 1 ? `${e.name}: ` : ''}${refusal}`);
      ctx.warn(statsNote(e, engines.length > 1)!);
    }
    if (!plan.stream) await printSnapshot(ctx, engines, plan);
    else {
      // The collector, the supervisor and the views load only when following: a one-shot sample uses none of them.
      const { runStatsView } = await import('../core/stats/sinks.js');
      await runStatsView(ctx, engines, plan);
    }
    ctx.engineReport(engines);
  });
}

export function planStats(names: string[], o: StatsOptions, isTTY: boolean): StatsPlan {
  const intervalMs = parseDurationMs(o.interval, '--interval');
  if (intervalMs < 1000) throw usageError(`--interval: expected at least 1s, the engine's own interval (got: ${JSON.stringify(o.interval)})`);
  const history = parseInteger(o.history, '--history', { min: 1, max: 100_000 });
  const sel: Selection = cliSelection(names, o.project, collectFilters(o.filter ?? []));
  return { sel, intervalMs, history, format: pickFormat(o, isTTY, ['json', 'table']), stream: o.stream };
}

async function printSnapshot(ctx: CommandContext, engines: Engine[], plan: StatsPlan): Promise<void> {
  const { samples, skipped } = await snapshot(engines, plan.sel, plan.intervalMs, ctx.signal);
  // A stopped member of the selection is shown as stopped (docker stats -a shows it); one that ran but gave no reading is said.
  const stopped = skipped.filter((t) => !t.running);
  for (const t of skipped) if (t.running && plan.sel.names.length) ctx.warn(`${t.name} is not running; no sample`);
  if (!plan.sel.names.length && samples.length === 0 && skipped.length === 0) ctx.warn(await emptySelection(engines, plan.sel, ctx.signal));
  const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
  const several = engines.length > 1 && !plan.swarm;
  const now = nanosToRfc3339(BigInt(Date.now()) * 1_000_000n);
  if (plan.format === 'table') {
    const { renderStatsTable } = await import('../core/stats/render.js');
    const rows = [...samples.map((s) => ({ key: s.target.id, name: s.target.name, sample: s.sample })), ...stopped.map((t) => ({ key: t.id, name: t.name }))];
    await out.writeLine(renderStatsTable(rows.sort((a, b) => a.name.localeCompare(b.name))));
  } else {
    for (const s of samples) await out.writeLine(JSON.stringify(toStatsRecord(s.target, s.sample, several ? s.target.engine.name : undefined)) + '\n');
    for (const t of stopped) await out.writeLine(JSON.stringify(toStoppedRecord(t, now, several ? t.engine.name : undefined)) + '\n');
    const ts = samples[0]?.sample.ts ?? now;
    for (const r of (await plan.swarm?.tally.records(ts, samples, ctx.signal)) ?? []) await out.writeLine(JSON.stringify(r) + '\n');
  }
  await out.end();
}
