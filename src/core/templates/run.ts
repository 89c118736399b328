/**
 * The two sources of `berth templates`, each feeding a TemplatesJob batch by
 * batch: stdin (split and classified synchronously per chunk read; a line
 * longer than the bound is cut and still clustered) and containers (the
 * `berth logs` pipeline: merged in time order, or followed through restarts
 * and joins). With --follow a ticker writes the changed templates every
 * `everyMs`. Aborting the signal (Ctrl-C, closed pipe) ends the read at
 * once; the caller still finishes (summary, --state) after it.
 */
import type { Readable } from 'node:stream';
import type { Engine } from '../engine/engine.js';
import type { Target } from '../engine/select.js';
import { logBatches, type LogsPlan } from '../logs/pipeline.js';
import { RecordLevels } from '../logs/record-level.js';
import { nanosToRfc3339 } from '../parse.js';
import { classifyLine } from '../stream/input.js';
import type { TemplatesJob } from './job.js';
import { fromInput, fromLogLine, type Groups } from './observe.js';
import { TextLines } from './text-lines.js';

export interface RunOptions {
  groups: Groups;
  follow: boolean;
  everyMs: number;
  annotate: boolean;
  warn: (message: string) => void;
}

export const nowTs = (): string => nanosToRfc3339(BigInt(Date.now()) * 1_000_000n);

/** Writes the changed templates every `everyMs` until stopped; `after` runs after each tick (saving --state). */
export function startTicker(job: TemplatesJob, everyMs: number, after: () => void = () => {}): () => void {
  const timer = setInterval(() => {
    void job.tick(nowTs());
    after();
  }, everyMs);
  return () => clearInterval(timer);
}

/** Reads stdin to its end (or until the signal aborts). */
export async function runStdin(job: TemplatesJob, stdin: Readable, maxLineBytes: number, o: RunOptions, signal: AbortSignal): Promise<void> {
  const splitter = new TextLines(maxLineBytes);
  let lineNo = 0;
  let badJson = 0;
  let cut = 0;
  let arrival: string | undefined;
  const emit = (text: string, truncated: boolean) => {
    const input = classifyLine(text, ++lineNo, truncated);
    // said once: a cut line was clustered on its first part with no word of it
    if (truncated && cut++ === 0) o.warn(`line ${lineNo}: longer than --max-line-bytes (${maxLineBytes} bytes); cut there and clustered on that part (with --annotate: truncated:true)`);
    if (input.kind === 'text' && input.jsonError !== undefined && badJson++ === 0) {
      o.warn(`line ${lineNo}: not valid JSON (${input.jsonError}); clustered as text`);
    }
    job.observe(fromInput(input, o.groups, arrival));
  };
  for await (const chunk of abortable(stdin as AsyncIterable<Buffer | string>, signal)) {
    if (o.follow) arrival = nowTs();
    splitter.push(chunk, emit);
    const w = job.flush();
    if (w) await w;
  }
  splitter.end(emit);
  if (cut > 1) o.warn(`${cut} lines were longer than --max-line-bytes and cut`);
  if (badJson > 1) o.warn(`${badJson} lines were not valid JSON; clustered as text`);
}

/** Reads the selected containers' logs until they end (or, with --follow, until the signal aborts). */
export async function runContainers(job: TemplatesJob, plan: LogsPlan, o: RunOptions, signal: AbortSignal): Promise<void> {
  const several = plan.engines.length > 1;
  const engineOf = (t: Target) => (several ? (t.engine as Engine).name : undefined);
  const levels = o.annotate ? new RecordLevels() : undefined;
  for await (const batch of logBatches(plan, signal)) {
    for (const line of batch) job.observe(fromLogLine(line, o.groups, engineOf(line.target), levels));
    const w = job.flush();
    if (w) await w;
  }
}

/**
 * Iterates `src` until it ends or `signal` aborts; an abort ends the loop
 * quietly and returns the source. Each wait has its own abort listener,
 * removed when the chunk arrives (racing one shared promise instead would
 * keep every chunk reachable from it: a leak).
 */
export async function* abortable<T>(src: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  if (signal.aborted) return;
  const it = src[Symbol.asyncIterator]();
  try {
    for (;;) {
      const r = await nextOrAbort(it, signal);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    void it.return?.();
  }
}

function nextOrAbort<T>(it: AsyncIterator<T>, signal: AbortSignal): Promise<IteratorResult<T>> {
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve({ done: true, value: undefined });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    it.next().then(
      (r) => (signal.removeEventListener('abort', onAbort), resolve(r)),
      (err) => (signal.removeEventListener('abort', onAbort), reject(err)),
    );
  });
}
