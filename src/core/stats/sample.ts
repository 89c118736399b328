/**
 * Readings from the engine's GET /containers/{id}/stats.
 *
 * - `readStats(engine, id, signal, onReading)`: the streaming endpoint, one
 *   reading a second (the engine's collector interval), each handed to
 *   `onReading` as it arrives. Aborting the signal destroys the request.
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
import type { EngineFlavor } from '../engine/podman.js';
import { podmanCpu } from './podman-cpu.js';
import { compareVersions } from '../engine/engine.js';
import { engineRead, toBerthError } from '../engine/request.js';
import type { BodyReader } from '../engine/client.js';
import { LineSplitter, type Line } from '../stream/lines.js';
import { computeSample, isEmptyReading, readingTime, type StatsSample } from './compute.js';
import type { RawStats } from './formulas.js';
import { linkedController } from '../stream/abort.js';

/** Readings arrive one collector tick (about 1 s) apart, with some jitter. */
export const TICK_SLACK_MS = 250;

/** A stats payload is ~2 KiB; anything past this bound is not one (cut, then reported as bad JSON). */
const MAX_READING_BYTES = 256 * 1024;

const statsPath = (id: string) => `/containers/${encodeURIComponent(id)}/stats`;

/**
 * What a reader of a stats stream does with a reading: nothing more (the next comes when it comes),
 * `'stop'` (enough read: the stream is closed and the reader resolves), or a promise: the socket is paused
 * until it settles (TCP backpressure then reaches the engine).
 */
export type ReadingVerdict = void | 'stop' | Promise<void>;

/**
 * Follows a container's stats stream: `onReading` gets each reading as it arrives, from the socket's data
 * event. Resolves when the engine ends the stream (the container stopped or went) or `onReading` says
 * 'stop'; rejects with the engine's error, or with the signal's reason when it aborts (the request is then
 * torn down at once). A line that is not a reading is skipped (and reported to `onBadLine`); the stream
 * goes on.
 */
export function readStats(engine: Engine, id: string, signal: AbortSignal, onReading: (raw: RawStats) => ReadingVerdict, onBadLine?: (n: number, error: string) => void): Promise<void> {
  return readStatsLines(engine, id, signal, (text, n) => {
    const raw = parseReading(text, engine.flavor);
    if (typeof raw !== 'string') return onReading(raw);
    onBadLine?.(n, raw);
  });
}

/**
 * `readStats` before the parse: `onLine` gets each line of the stream that is not blank (a reading's JSON
 * text) and its number, for a reader that parses later (collector.ts handles a window of them together).
 *
 * This runs once per container per second for as long as stats is followed, so a line costs one split and
 * one call: no promise, generator step or stream of its own (client.ts `read`: a call per 'data' event).
 */
export async function readStatsLines(engine: Engine, id: string, signal: AbortSignal, onLine: (text: string, n: number) => ReadingVerdict): Promise<void> {
  const splitter = new LineSplitter(MAX_READING_BYTES);
  let n = 0;
  let stopped = false;
  // Called only once the reader is handed back (client.ts `read` hands on no byte before).
  const take = (l: Line) => {
    n++;
    if (stopped || !l.text.trim()) return;
    const verdict = onLine(l.text, n);
    if (verdict === 'stop') {
      stopped = true;
      reader.close();
    } else if (verdict) {
      reader.pause();
      verdict.then(
        () => reader.resume(),
        () => reader.close(),
      );
    }
  };
  const reader: BodyReader = await engineRead(engine, { path: statsPath(id), query: { stream: true }, signal }, (data, start, end) => splitter.push(data, take, start, end));
  await reader.ended;
}

/** A reading, or why the text is not one. */
export function parseReading(text: string, flavor: EngineFlavor = 'docker'): RawStats | string {
  try {
    const v = JSON.parse(text) as RawStats;
    if (!v || typeof v !== 'object' || typeof v.read !== 'string') return 'not a stats reading (no "read" time)';
    return flavor === 'podman' ? podmanCpu(v) : v;
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
    return engine.flavor === 'podman' ? podmanCpu(raw) : raw;
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
  let first: RawStats | undefined;
  let pair: [RawStats, RawStats] | undefined;
  await readStats(engine, id, signal, (raw) => {
    if (isEmptyReading(raw)) return 'stop';
    if (!first) first = raw;
    else if (readingTime(raw)! - readingTime(first)! >= intervalMs - TICK_SLACK_MS) {
      pair = [first, raw];
      return 'stop';
    }
  });
  return pair;
}
