/**
 * Readings from the engine's GET /containers/{id}/stats.
 *
 * - `statsStream(engine, id, signal)`: the streaming endpoint, one reading a
 *   second (the engine's collector interval), as an AsyncIterable. Aborting
 *   the signal or breaking the loop destroys the request.
 * - `readStatsOnce(engine, id, signal, mode)`: a single reply: `paired` is
 *   the engine's `stream=false`, where it takes two readings one collector tick
 *   apart and fills `precpu_stats` (what `docker stats --no-stream` shows);
 *   `now` is `one-shot=true` (API >= 1.41), the next reading alone.
 * - `sampleOnce(engine, ids, intervalMs, signal)`: one sample per container,
 *   all containers in parallel, so it costs about one interval whatever the
 *   count: each container's stream is read until a reading about `intervalMs`
 *   after its first, then closed. The engine's collector answers on its next
 *   tick, so at the default 1 s this takes 1-2 s, as `docker stats
 *   --no-stream` does, and yields rates too (docker's paired reply has none).
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import { compareVersions } from '../engine/engine.js';
import { engineStream, toBerthError } from '../engine/request.js';
import { LineSplitter, type Line } from '../stream/lines.js';
import { computeSample, isEmptyReading, readingTime, type StatsSample } from './compute.js';
import type { RawStats } from './formulas.js';
import { linkedController } from '../stream/abort.js';

/** Readings arrive one collector tick (about 1 s) apart, with some jitter. */
export const TICK_SLACK_MS = 250;

/** A stats payload is ~2 KiB; anything past this bound is not one (cut, then reported as bad JSON). */
const MAX_READING_BYTES = 256 * 1024;

const statsPath = (id: string) => `/containers/${encodeURIComponent(id)}/stats`;

/** Readings parsed ahead of the consumer before the socket is paused (TCP backpressure then reaches the engine). */
const READ_AHEAD = 4;

/**
 * A line of the stream that is not a reading is skipped (and reported to `onBadLine`); the stream goes on.
 *
 * This runs once per container per second for as long as stats is followed, so the socket is read with a
 * 'data' listener that splits and parses in place (not through the stream's async iterator and a second
 * generator): a reading costs one parse and one promise.
 */
export async function* statsStream(engine: Engine, id: string, signal: AbortSignal, onBadLine?: (n: number, error: string) => void): AsyncGenerator<RawStats> {
  const res = await engineStream(engine, { path: statsPath(id), query: { stream: true }, signal });
  const splitter = new LineSplitter(MAX_READING_BYTES);
  const ready: RawStats[] = [];
  let n = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const take = (l: Line) => {
    n++;
    if (!l.text.trim()) return;
    const raw = parseReading(l.text);
    if (typeof raw === 'string') onBadLine?.(n, raw);
    else ready.push(raw);
  };
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  res.on('data', (chunk: Buffer) => {
    splitter.push(chunk, take);
    if (ready.length >= READ_AHEAD) res.pause();
    if (ready.length) notify();
  });
  res.once('end', () => ((ended = true), notify()));
  res.once('close', () => ((ended = true), notify()));
  res.once('error', (err) => ((failure = err), (ended = true), notify()));
  try {
    for (;;) {
      const raw = ready.shift();
      if (raw) {
        if (ready.length < READ_AHEAD && res.isPaused()) res.resume();
        yield raw;
        continue;
      }
      if (failure) throw failure;
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    res.destroy();
  }
}

/** A reading, or why the text is not one. */
export function parseReading(text: string): RawStats | string {
  try {
    const v = JSON.parse(text) as RawStats;
    return v && typeof v === 'object' && typeof v.read === 'string' ? v : 'not a stats reading (no "read" time)';
  } catch (err) {
    return (err as Error).message;
  }
}

export const supportsOneShot = (engine: Engine) => !engine.apiVersion || compareVersions(engine.apiVersion, '1.41') >= 0;

export async function readStatsOnce(engine: Engine, id: string, signal: AbortSignal, mode: 'paired' | 'now' = 'paired'): Promise<RawStats> {
  const query = mode === 'now' && supportsOneShot(engine) ? { stream: false, 'one-shot': true } : { stream: false };
  try {
    const raw = await engine.api.json<RawStats | undefined>({ path: statsPath(id), query, signal, maxBytes: MAX_READING_BYTES });
    if (!raw) throw new Error(`the engine sent an empty stats reply for ${id}`);
    return raw;
  } catch (err) {
    throw toBerthError(engine, err, signal);
  }
}

export interface OnceResult {
  id: string;
  sample?: StatsSample;
  /** Why there is no sample: not running, or the error met. */
  error?: unknown;
}

/** One sample per container from two readings about `intervalMs` apart, all in parallel. */
export async function sampleOnce(engine: Engine, ids: string[], intervalMs: number, signal: AbortSignal): Promise<OnceResult[]> {
  // One listener on the caller's signal; each container's request listens on ours.
  const { controller, dispose } = linkedController(signal);
  setMaxListeners(0, controller.signal);
  const pairs = await Promise.allSettled(ids.map((id) => readPair(engine, id, intervalMs, controller.signal))).finally(dispose);
  return ids.map((id, i) => {
    const r = pairs[i]!;
    if (r.status === 'rejected') return { id, error: r.reason };
    if (!r.value) return { id, error: new Error('not running') };
    return { id, sample: computeSample(r.value[0], r.value[1]) };
  });
}

/** The stream's first reading and the first one at least `intervalMs` (less the tick jitter) after it; undefined when not running. */
export async function readPair(engine: Engine, id: string, intervalMs: number, signal: AbortSignal): Promise<[RawStats, RawStats] | undefined> {
  const { controller, dispose } = linkedController(signal);
  let first: RawStats | undefined;
  try {
    for await (const raw of statsStream(engine, id, controller.signal)) {
      if (isEmptyReading(raw)) return undefined;
      if (!first) first = raw;
      else if (readingTime(raw)! - readingTime(first)! >= intervalMs - TICK_SLACK_MS) return [first, raw];
    }
    return undefined;
  } finally {
    controller.abort();
    dispose();
  }
}
