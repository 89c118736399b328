/**
 * `--format raw` for one container, not following: the bytes the container
 * wrote, stdout to stdout and stderr to stderr, exactly as `docker logs`
 * prints them (with -t, the engine's timestamp prefixes too). Frames are
 * decoded over whole chunks and each chunk's pieces are written as one
 * buffer per stream: no strings, no per-line work. Backpressure: after a
 * chunk whose write filled a stream's buffer, reading waits for 'drain'.
 */
import type { Writable } from 'node:stream';
import type { Target } from '../engine/select.js';
import { inspectTarget } from '../engine/select.js';
import { FrameDecoder, type StreamId } from './demux.js';
import { logsQuery, openLogs, type LogQuery } from './source.js';

export interface RawOutputs {
  stdout: Writable;
  stderr: Writable;
  onEngineError?: (text: string) => void;
}

export async function rawPassthrough(target: Target, q: LogQuery, out: RawOutputs, signal: AbortSignal): Promise<void> {
  const { tty } = await inspectTarget(target.engine, target.id, signal);
  const res = await openLogs(target.engine, target.id, logsQuery(q, !!q.timestamps), signal);
  const frames = new FrameDecoder();
  const parts: [Buffer[], Buffer[]] = [[], []];
  const onPiece = (s: StreamId, piece: Buffer) => {
    if (s === 3) out.onEngineError?.(piece.toString('utf8').trim());
    else parts[s - 1]!.push(piece);
  };
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (tty) parts[0].push(chunk);
      else frames.push(chunk, onPiece);
      const waits = [write(out.stdout, parts[0]), write(out.stderr, parts[1])].filter((w) => w !== undefined);
      if (waits.length) await Promise.all(waits);
    }
  } finally {
    res.destroy();
  }
}

function write(stream: Writable, parts: Buffer[]): Promise<void> | undefined {
  if (parts.length === 0) return undefined;
  const buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  parts.length = 0;
  if (stream.destroyed || stream.write(buf)) return undefined;
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
