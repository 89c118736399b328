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
import { addFilterOption, addFormatOptions, describe } from './options.js';

interface EventsOptions {
  since?: string;
  until?: string;
  filter?: string[];
  format?: string;
  json?: boolean;
}

export function makeEventsCommand(ctx: CommandContext): Command {
  const cmd = new Command('events')
    .description(
      "Stream the engine's events as records. Follows until --until or Ctrl-C; when the engine restarts or the connection drops, " +
        'says so on stderr, reconnects with backoff and resumes from the last event printed, so no event is lost or printed twice.',
    )
    .option('--since <time>', 'from a time on: a duration (10m: ten minutes ago), an RFC 3339 time or a Unix timestamp')
    .option('--until <time>', 'up to a time: a duration (10m: ten minutes ago), an RFC 3339 time or a Unix timestamp');
  addFilterOption(cmd, 'events, e.g. type=container, event=start, container=web, label=k=v', true);
  addFormatOptions(cmd, ['json', 'table'], "; table prints docker's event lines");
  describe(cmd, "Stream the engine's events, gapless across restarts", [
    ['berth events', 'follow, docker-style lines'],
    ['berth events --json --since 10m --filter type=container --filter event=die', 'the last 10 minutes of deaths, then follow'],
    ['berth events --since 2026-11-22T10:00:00Z --until 2026-11-22T11:00:00Z', 'one past hour, then exit'],
  ]);
  return cmd.action(async (opts: EventsOptions) => {
    const since = opts.since !== undefined ? parseTimePoint(opts.since, '--since') : undefined;
    const until = opts.until !== undefined ? parseTimePoint(opts.until, '--until') : undefined;
    const filters = collectFilters(opts.filter ?? []);
    const format = pickFormat(opts, !!ctx.io.stdout.isTTY, ['json', 'table']);
    const engines = await ctx.engines(cmd);
    const several = engines.length > 1;
    const out = new LineWriter(ctx.io.stdout, ctx.closePipe);
    const streams = engines.map((engine) => {
      const late = !answered(engine);
      // An engine that did not answer at the start was named then; it is retried quietly until it does.
      const onStatus = (s: WatcherStatus) =>
        late && !answered(engine) ? undefined : ctx.warn(statusLine(s, { ...(several ? { engine: engine.name } : {}), onBack: 'resuming from the last event printed' }));
      const onOpened = (first: boolean) => (late && first ? ctx.warn(`the engine at ${engine.endpoint.host} answered`) : undefined);
      return watchEvents(engine, { since, until, filters, onStatus, onOpened }, ctx.signal);
    });
    const tagged = engines.map((engine, i) => tag(streams[i]!, several ? engine.name : undefined));
    for await (const { ev, engine } of mergeByArrival(tagged)) {
      const rec = toEventRecord(ev, engine);
      await out.writeLine((format === 'json' ? JSON.stringify(rec) : formatEventLine(rec)) + '\n');
    }
    await out.end();
    ctx.engineReport(engines);
  });
}

async function* tag<T>(src: AsyncIterable<T>, engine: string | undefined): AsyncGenerator<{ ev: T; engine: string | undefined }> {
  for await (const ev of src) yield { ev, engine };
}
