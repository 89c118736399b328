/** `berth events`: the engine's events, gapless across engine restarts. */
import { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { statusLine, watchEvents, type WatcherStatus } from '../core/events/watcher.js';
import { formatEventLine, toEventRecord } from '../core/events/record.js';
import { collectFilters, parseTimePoint } from '../core/parse.js';
import { pickFormat } from '../core/output/format.js';
import { LineWriter } from '../core/output/ndjson.js';
import { mergeByArrival } from '../core/stream/merge.js';
import { answered } from '../core/engine/connect.js';
import { addFilterOption, addFormatOptions, addSwarmOptions, addSwarmFlag, describe, sharedOption } from './options.js';
import type { Engine } from '../core/engine/engine.js';
import type { EngineEvent } from '../core/events/source.js';
import type { EventRecord } from '../core/records.js';
import { inServices } from '../core/engine/select.js';
import type { SwarmScope } from '../core/swarm/scope.js';

interface EventsOptions {
  since?: string;
  until?: string;
  filter?: string[];
  format?: string;
  json?: boolean;
  swarm?: boolean;
  service?: string[];
  stack?: string;
  node?: string[];
}

export function makeEventsCommand(ctx: CommandContext): Command {
  const cmd = new Command('events')
    .description(
      "Stream the engine's events as records. Follows until --until or Ctrl-C; when the engine restarts or the connection drops, " +
        'says so on stderr, reconnects with backoff and resumes from the last event printed, so no event is lost or printed twice.',
    )
    .addOption(sharedOption('--since <time>', 'events from a time on: 10m (ago), RFC 3339 or Unix time'))
    .addOption(sharedOption('--until <time>', 'stop at a time, as --since takes it'));
  addFilterOption(cmd, 'events: type=container, event=start, label=k=v (repeat)', true);
  addFormatOptions(cmd, ['json', 'table']);
  addSwarmFlag(cmd, "the swarm's events: its manager's and every node's");
  addSwarmOptions(cmd);
  describe(cmd, "Stream the engine's events, gapless across restarts", [
    ['berth events', 'follow, docker-style lines'],
    ['berth events --json --since 10m --filter type=container --filter event=die', 'the last 10 minutes of deaths, then follow'],
    ['berth events --since 2026-11-22T10:00:00Z --until 2026-11-22T11:00:00Z', 'one past hour, then exit'],
    ['berth events --swarm --json', "a swarm's service, node and container events, from every node"],
  ]);
  return cmd.action(async (opts: EventsOptions) => {
    const since = opts.since !== undefined ? parseTimePoint(opts.since, '--since') : undefined;
    const until = opts.until !== undefined ? parseTimePoint(opts.until, '--until') : undefined;
    const filters = collectFilters(opts.filter ?? []);
    const format = pickFormat(opts, !!ctx.io.stdout.isTTY, ['json', 'table']);
    const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
    const write = (rec: EventRecord) => out.writeLine((format === 'json' ? JSON.stringify(rec) : formatEventLine(rec)) + '\n');
    const scope = await ctx.swarm(cmd, { ...opts, swarm: !!opts.swarm });
    if (scope) {
      const sources = swarmEventSources(scope, opts.service?.length || opts.stack !== undefined ? scope.services.map((s) => s.name) : undefined);
      await follow(ctx, sources, { since, until, filters }, write);
      await out.end();
      return ctx.engineReport(sources.map((s) => s.engine));
    }
    const engines = await ctx.engines(cmd);
    const several = engines.length > 1;
    await follow(
      ctx,
      engines.map((engine) => ({ engine, ...(several ? { label: engine.name } : {}) })),
      { since, until, filters },
      write,
    );
    await out.end();
    ctx.engineReport(engines);
  });
}

/** One engine's events as a command reads them: its label on records (several engines), its swarm node, extra filters, a predicate. */
interface EventSource {
  engine: Engine;
  label?: string;
  node?: string;
  filters?: Record<string, string[]>;
  keep?: (ev: EngineEvent) => boolean;
}

/**
 * --swarm: the manager's stream (swarm-scope events, and its own node's container events), and each other
 * node's own events (scope=local: another manager's copy of the swarm events would repeat them). With
 * --service/--stack, only those services' events and their tasks' containers' events.
 */
function swarmEventSources(scope: SwarmScope, services: string[] | undefined): EventSource[] {
  const { manager, managerNode, nodes } = scope.cluster;
  const mine = services && new Set(services);
  const keep = mine
    ? (ev: EngineEvent) => (ev.Type === 'service' ? mine.has(ev.Actor?.Attributes?.name ?? '') : ev.Type === 'container' && inServices({ names: [], services: [...mine] }, ev.Actor?.Attributes))
    : undefined;
  const host = nodes.find((n) => n.id === managerNode)?.hostname;
  const out: EventSource[] = [{ engine: manager, ...(host ? { node: host } : {}), ...(keep ? { keep } : {}) }];
  for (const n of nodes) if (n.engine && n.id !== managerNode) out.push({ engine: n.engine, node: n.hostname, filters: { scope: ['local'] }, ...(keep ? { keep } : {}) });
  return out;
}

async function follow(
  ctx: CommandContext,
  sources: EventSource[],
  q: { since: bigint | undefined; until: bigint | undefined; filters: Record<string, string[]> },
  write: (r: EventRecord) => Promise<void> | void,
): Promise<void> {
  const several = sources.length > 1;
  const streams = sources.map(({ engine, filters, node }) => {
    const late = !answered(engine);
    // An engine that did not answer at the start was named then; it is retried quietly until it does.
    const where = node ?? (several ? engine.name : undefined);
    const onStatus = (s: WatcherStatus) => (late && !answered(engine) ? undefined : ctx.warn(statusLine(s, { ...(where ? { engine: where } : {}), onBack: 'resuming from the last event printed' })));
    const onOpened = (first: boolean) => (late && first ? ctx.warn(`the engine at ${engine.endpoint.host} answered`) : undefined);
    return watchEvents(engine, { since: q.since, until: q.until, filters: mergeFilters(q.filters, filters), onStatus, onOpened }, ctx.signal);
  });
  const tagged = sources.map((s, i) => tag(streams[i]!, s));
  for await (const { ev, source } of mergeByArrival(tagged)) {
    if (source.keep && !source.keep(ev)) continue;
    // A swarm-scope event is the swarm's, not the node's that relayed it.
    const node = ev.scope === 'swarm' ? undefined : source.node;
    const w = write(toEventRecord(ev, source.label, node));
    if (w) await w;
  }
}

function mergeFilters(a: Record<string, string[]>, b: Record<string, string[]> | undefined): Record<string, string[]> {
  if (!b) return a;
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

async function* tag<T>(src: AsyncIterable<T>, source: EventSource): AsyncGenerator<{ ev: T; source: EventSource }> {
  for await (const ev of src) yield { ev, source };
}
