/**
 * The state `watch-idle --once` keeps between runs: per container id, the
 * time of its last activity and its last counters. Saved atomically (a
 * temporary file in the same directory, fsynced, then renamed), so a run killed in the
 * middle leaves the previous state whole. A missing file is an empty state;
 * an unreadable one is a CONFIG error naming the file.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.js';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { BerthError } from '../errors.js';
import type { ClockState } from './watcher.js';

export interface StateFile {
  version: 1;
  savedAt: string;
  containers: Record<string, ClockState>;
}

/** $XDG_STATE_HOME/berth/watch-idle.json, else ~/.local/state/berth/watch-idle.json. */
export function defaultStatePath(env: Record<string, string | undefined>): string {
  const base = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'berth', 'watch-idle.json');
}

export async function loadState(path: string): Promise<Record<string, ClockState>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BerthError('CONFIG', `--state: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const doc = JSON.parse(text) as StateFile;
    if (doc.version !== 1 || typeof doc.containers !== 'object' || !doc.containers) throw new Error('not a berth watch-idle state (version 1)');
    return doc.containers;
  } catch (err) {
    throw new BerthError('CONFIG', `--state: ${path} is not a berth state file: ${(err as Error).message}`, { hint: 'remove it to start afresh', cause: err });
  }
}

export async function saveState(path: string, containers: Record<string, ClockState>, now = new Date()): Promise<void> {
  const doc: StateFile = { version: 1, savedAt: now.toISOString(), containers };
  await mkdir(dirname(path), { recursive: true });
  writeFileAtomic(path, JSON.stringify(doc, null, 1) + '\n', 0o600);
}
