/**
 * The sinks of streaming `berth stats`: NDJSON records as samples arrive; a
 * docker-like table once per interval when piped (`--format table`); on a TTY
 * a live table with sparklines, redrawn in place; the cursor is restored on
 * exit (Ctrl-C included) and the last frame stays on screen.
 */
import { setInterval as every } from 'node:timers/promises';
import type { ViewContext } from '../output/io.js';
import type { Engine } from '../engine/engine.js';
import type { Selection, Target } from '../engine/select.js';
import type { StatsSample } from './compute.js';
import { nanosToRfc3339 } from '../parse.js';
import { terminalSize, type Format } from '../output/format.js';
import { LineWriter } from '../output/ndjson.js';
import { linkedController } from '../stream/abort.js';
import { StatsCollector, targetKey } from './collector.js';
import { toStatsRecord, toStoppedRecord } from './record.js';
import type { StatsRow } from './render.js';

export interface ViewPlan {
  sel: Selection;
  intervalMs: number;
  history: number;
  format: Format;
  /** --service/--stack: the engines are a swarm's nodes (records say `node`); JSON adds the tally's records per interval. */
  swarm?: { tally: IntervalTally };
}

/** Records made each interval from the latest reading of every container followed (swarm/service-stats.ts). */
export interface IntervalTally {
  records(ts: string, readings: Array<{ target: Target; sample: StatsSample }>, signal?: AbortSignal): Promise<object[]>;
}

export async function runStatsView(ctx: ViewContext, engines: Engine[], plan: ViewPlan): Promise<void> {
  const several = engines.length > 1 && !plan.swarm;
  const collector = new StatsCollector({
    intervalMs: plan.intervalMs,
    history: plan.history,
    noHistory: plan.format === 'json',
    warn: (m) => ctx.warn(m),
  });
  const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
  if (plan.format === 'json') {
    // The samples of a window of readings come in one turn (collector.ts): the writer joins their records into one write.
    const latest = new Map<string, { target: Target; sample: StatsSample }>();
    const tally = plan.swarm?.tally;
    const timer = tally ? setInterval(() => void serviceTick(tally, latest, out, ctx.signal), plan.intervalMs) : undefined;
    try {
      for await (const ev of collector.follow(engines, plan.sel, ctx.signal)) {
        if (ev.kind !== 'sample') {
          latest.delete(ev.key);
          if (ev.kind === 'stopped')
            await out.writeLine(JSON.stringify(toStoppedRecord(ev.target, nanosToRfc3339(BigInt(Date.now()) * 1_000_000n), several ? ev.target.engine.name : undefined)) + '\n');
          continue;
        }
        if (tally) latest.set(ev.key, { target: ev.target, sample: ev.sample });
        const full = out.writeLine(JSON.stringify(toStatsRecord(ev.target, ev.sample, several ? ev.target.engine.name : undefined)) + '\n');
        if (full) await full;
      }
    } finally {
      clearInterval(timer);
    }
    return out.end();
  }
  // The tables read the collector's state on each tick; its events only need draining.
  const { controller, dispose } = linkedController(ctx.signal);
  const drain = (async () => {
    for await (const ev of collector.follow(engines, plan.sel, controller.signal)) void ev;
  })();
  const view = ctx.io.stdout.isTTY ? liveView(ctx, collector, plan, out, controller.signal) : tablePerTick(collector, plan, out, controller.signal);
  try {
    await Promise.race([drain, view]);
  } finally {
    controller.abort();
    dispose();
    await Promise.allSettled([drain, view]);
  }
}

/** One service record per service per interval, from the latest reading of each of its tasks' containers. */
async function serviceTick(tally: IntervalTally, latest: Map<string, { target: Target; sample: StatsSample }>, out: LineWriter, signal: AbortSignal): Promise<void> {
  const ts = nanosToRfc3339(BigInt(Date.now()) * 1_000_000n);
  const records = await tally.records(ts, [...latest.values()], signal).catch(() => []);
  if (signal.aborted) return;
  for (const r of records) await out.writeLine(JSON.stringify(r) + '\n');
}

/** A row per container with a reading, and one per stopped member of the selection (no numbers), by name. */
export function currentRows(collector: StatsCollector): StatsRow[] {
  const rows: StatsRow[] = [];
  for (const t of collector.targets()) {
    const key = targetKey(t);
    const sample = collector.history.latest(key);
    if (sample) rows.push({ key, name: t.name, sample });
  }
  for (const t of collector.stopped()) rows.push({ key: targetKey(t), name: t.name });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

// The table sinks load the table and colour modules when used: `--json` (cron, pipes) never pays for them.
async function tablePerTick(collector: StatsCollector, plan: ViewPlan, out: LineWriter, signal: AbortSignal): Promise<void> {
  const { renderStatsTable } = await import('./render.js');
  try {
    for await (const _ of every(plan.intervalMs, undefined, { signal })) {
      const rows = currentRows(collector);
      if (rows.length) await out.writeLine(renderStatsTable(rows) + '\n');
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
  await out.end();
}

/** Clear once and hide the cursor; each frame then redraws from the top left. The last frame stays on screen at exit, as docker's does. */
const ENTER = '\x1b[2J\x1b[H\x1b[?25l';
const LEAVE = '\x1b[?25h';

async function liveView(ctx: ViewContext, collector: StatsCollector, plan: ViewPlan, out: LineWriter, signal: AbortSignal): Promise<void> {
  const stdout = ctx.io.stdout;
  const [{ renderLiveFrame }, { makeChalk }] = await Promise.all([import('./render.js'), import('../output/colors.js')]);
  const chalk = makeChalk(ctx.io.env, true);
  stdout.write(ENTER);
  try {
    for await (const _ of every(Math.min(plan.intervalMs, 1000), undefined, { signal })) {
      const frame = renderLiveFrame(currentRows(collector), collector.history, { ...terminalSize(stdout, { columns: 120, rows: 40 }), chalk, history: plan.history });
      await out.writeLine('\x1b[H' + frame);
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    await out.end();
    stdout.write(LEAVE);
  }
}
