/**
 * Readings from the engine's GET /containers/{id}/stats.
 *
 * - `statsStream(engine, id, signal)`: the streaming endpoint, one reading a
 *   second (the engine's collector interval), as an AsyncIterable. Aborting
 *   the signal or breaking the loop destroys the request.
 * - `readStatsOnce(engine, id, signal)`: a single reading taken now
 *   (`one-shot=true`, API >= 1.41; it has no `precpu_stats`). Older engines get
 *   `stream=false`, where the engine itself waits for a second reading.
 * - `sampleOnce(engine, ids, intervalMs, signal)`: one sample per container
 *   from two readings `intervalMs` apart, all containers in parallel, so it
 *   costs about one interval whatever the count.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Engine } from '../engine/engine.js';
import { compareVersions } from '../engine/engine.js';
import { engineStream } from '../engine/request.js';
import { splitLines } from '../stream/lines.js';
import { computeSample, isEmptyReading, type StatsSample } from './compute.js';
import type { RawStats } from './formulas.js';

/** A stats payload is ~2 KiB; anything past this bound is not one (cut, then reported as bad JSON). */
const MAX_READING_BYTES = 256 * 1024;

const statsPath = (id: string) => `/containers/${encodeURIComponent(id)}/stats?`;

export async function* statsStream(engine: Engine, id: string, signal: AbortSignal): AsyncGenerator<RawStats> {
  const res = await engineStream(engine, { path: statsPath(id), query: { stream: true }, signal });
  try {
    for await (const line of splitLines(res, MAX_READING_BYTES)) {
      if (!line.text.trim()) continue;
      yield JSON.parse(line.text) as RawStats;
    }
  } finally {
    res.destroy();
  }
}

export const supportsOneShot = (engine: Engine) => !engine.apiVersion || compareVersions(engine.apiVersion, '1.41') >= 0;

export async function readStatsOnce(engine: Engine, id: string, signal: AbortSignal): Promise<RawStats> {
  const query = supportsOneShot(engine) ? { stream: false, 'one-shot': true } : { stream: false };
  const res = await engineStream(engine, { path: statsPath(id), query, signal });
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_READING_BYTES) throw new Error(`stats reading for ${id} is larger than ${MAX_READING_BYTES} bytes`);
      chunks.push(chunk);
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as RawStats;
  } finally {
    res.destroy();
  }
}

export interface OnceResult {
  id: string;
  sample?: StatsSample;
  /** Why there is no sample: not running, or the error met. */
  error?: unknown;
}

/** One sample per container, two readings `intervalMs` apart (the engine's own pair on engines without one-shot). */
export async function sampleOnce(engine: Engine, ids: string[], intervalMs: number, signal: AbortSignal): Promise<OnceResult[]> {
  const first = await Promise.allSettled(ids.map((id) => readStatsOnce(engine, id, signal)));
  if (!supportsOneShot(engine)) return ids.map((id, i) => toResult(id, undefined, first[i]!));
  await sleep(intervalMs, undefined, { signal });
  const second = await Promise.allSettled(ids.map((id, i) => (first[i]!.status === 'fulfilled' ? readStatsOnce(engine, id, signal) : Promise.reject(reason(first[i]!)))));
  return ids.map((id, i) => toResult(id, first[i]!, second[i]!));
}

const reason = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? r.reason : undefined);

function toResult(id: string, a: PromiseSettledResult<RawStats> | undefined, b: PromiseSettledResult<RawStats>): OnceResult {
  if (b.status === 'rejected') return { id, error: b.reason };
  if (isEmptyReading(b.value)) return { id, error: new Error('not running') };
  const prev = a?.status === 'fulfilled' && !isEmptyReading(a.value) ? a.value : undefined;
  return { id, sample: computeSample(prev, b.value) };
}
