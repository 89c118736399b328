/**
 * `--archive DIR`: the logs of a service's tasks kept before a scale to 0
 * removes the tasks' containers, and their logs with them.
 *
 * Before the scale, berth opens a following log stream on each running task
 * container (on the nodes it reaches), from the last line it archived of that
 * container; the streams end when the containers stop, so every line written
 * up to the end is read. Then the lines, in time order, are added to
 * `DIR/SERVICE.ndjson` as `log` records (the records of `berth logs --json`).
 * The file is rewritten atomically (temp file, fsync, rename): a crash leaves
 * the old archive or the new one. What was archived is read from the file
 * itself (the newest line per container), so a second sleep/wake cycle adds
 * only new lines: none lost, none repeated. Bounds: one archive is held in
 * memory while it is rewritten; a capture waits at most `timeoutMs` for the
 * containers to stop.
 *
 * `readArchive` gives the archived lines back (for `berth logs --archive`).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { Engine } from '../engine/engine.js';
import { listTargets, type Target } from '../engine/select.js';
import { byTs, type LogLine } from '../logs/line.js';
import { toLogRecord } from '../logs/record.js';
import { detectLevel } from '../logs/severity.js';
import { containerLogBatches } from '../logs/source.js';
import { parseRfc3339Nanos } from '../parse.js';
import type { LogRecord } from '../records.js';

export class LogArchive {
  constructor(
    readonly dir: string,
    /** The node engines berth reaches. */
    private readonly engines: Engine[],
    private readonly warn: (message: string) => void,
  ) {}

  file(service: string): string {
    return archiveFile(this.dir, service);
  }

  /** Starts capturing the service's running tasks' logs; `finish` waits for their containers to stop and writes the archive. */
  async open(service: string, signal?: AbortSignal): Promise<{ finish(timeoutMs: number): Promise<number> }> {
    const done = new AbortController();
    const stop = () => done.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const targets = (await listTargets(this.engines, { names: [], services: [service] }, done.signal)).filter((t) => t.running);
    const cursor = this.cursor(service);
    const lines: LogLine[] = [];
    const reads = targets.map(async (t) => {
      const from = cursor.get(t.id);
      const since = from === undefined ? undefined : parseRfc3339Nanos(from);
      for await (const batch of containerLogBatches(t, { follow: true, ...(since !== undefined ? { since } : {}) }, done.signal)) {
        for (const l of batch) if (from === undefined || l.ts > from) lines.push(l);
      }
    });
    const all = Promise.allSettled(reads);
    return {
      finish: async (timeoutMs) => {
        const timer = setTimeout(stop, timeoutMs);
        const results = await all;
        clearTimeout(timer);
        signal?.removeEventListener('abort', stop);
        for (const [i, r] of results.entries()) {
          if (r.status === 'rejected' && !done.signal.aborted) this.warn(`--archive: the logs of ${targets[i]!.name} could not be read whole: ${(r.reason as Error).message}`);
        }
        if (done.signal.aborted && !signal?.aborted) this.warn(`--archive: ${service}'s tasks did not stop within ${Math.round(timeoutMs / 1000)} s; archived what they wrote until then`);
        return this.append(service, lines);
      },
    };
  }

  /** The newest archived line's time per container. */
  private cursor(service: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of this.records(service)) {
      const had = out.get(r.id);
      if (had === undefined || r.ts > had) out.set(r.id, r.ts);
    }
    return out;
  }

  /** The archived records of a service, as written. */
  records(service: string): LogRecord[] {
    return readRecords(this.file(service));
  }

  private append(service: string, lines: LogLine[]): number {
    if (!lines.length) return 0;
    lines.sort(byTs);
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(service);
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const added = lines.map((l) => JSON.stringify(toLogRecord(l, detectLevel(l.msg))) + '\n').join('');
    writeFileAtomic(file, before + (before && !before.endsWith('\n') ? '\n' : '') + added);
    return lines.length;
  }
}

/** A service's archived lines, in time order, as log lines of the containers they came from (`engine`: where their records say they were read). */
export function readArchive(dir: string, service: string, engine: Engine): LogLine[] {
  const targets = new Map<string, Target>();
  const lines: LogLine[] = [];
  for (const r of readRecords(archiveFile(dir, service))) {
    let t = targets.get(r.id);
    if (!t) {
      t = { engine, id: r.id, name: r.name, tty: false, running: false, labels: {} };
      for (const k of ['service', 'stack', 'node', 'task', 'slot'] as const) if (r[k] !== undefined) (t as unknown as Record<string, unknown>)[k] = r[k];
      targets.set(r.id, t);
    }
    lines.push({ ts: r.ts, stream: r.stream, msg: r.msg, truncated: !!r.truncated, target: t });
  }
  return lines.sort(byTs);
}

/** Where a service's archive is: DIR/SERVICE.ndjson, the name made safe for a file name. */
function archiveFile(dir: string, service: string): string {
  return join(dir, `${service.replace(/[^A-Za-z0-9_.-]/g, '_')}.ndjson`);
}

/** The records of an archive file, as written (none when there is no file yet). */
function readRecords(file: string): LogRecord[] {
  if (!existsSync(file)) return [];
  const out: LogRecord[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as LogRecord);
    } catch {
      // a line that is not a record is not berth's (the file is rewritten whole): skipped
    }
  }
  return out;
}
