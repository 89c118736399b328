/**
 * The state `watch-idle --once` keeps between runs: per container id, the
 * time of its last activity and its last counters. Saved atomically (a
 * temporary file in the same directory, fsynced, then renamed), so a run killed in the
 * middle leaves the previous state whole. A missing file is an empty state;
 * an unreadable one is a CONFIG error naming the file.
 *
 * Two runs at the same moment (cron and a hand-run, two timers) are serialised
 * by a lock file beside the state (`STATE.lock`, created exclusively, holding
 * the pid): the second waits for the first to finish, then reads the state it
 * saved and the engine as the first left it, so a container is never stopped
 * twice. A lock whose process is gone is stale and taken over.
 */
import { mkdir, readFile, open, unlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidAlive } from './claims.js';
import { writeFileAtomic } from '../atomic-file.js';
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { BerthError } from '../errors.js';
import type { ClockState } from './lifecycle-owner.js';

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

/** How long a second run waits for the first before giving up (TIMEOUT). */
export const LOCK_WAIT_MS = 120_000;

/** Runs `fn` holding the state file's lock; waits (polling) while another live process holds it. */
export async function withStateLock<T>(path: string, fn: () => Promise<T>, o: { waitMs?: number; signal?: AbortSignal; onWait?: (pid: number) => void } = {}): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true });
  const end = Date.now() + (o.waitMs ?? LOCK_WAIT_MS);
  let told = false;
  for (;;) {
    if (await tryLock(lock)) break;
    const pid = await lockHolder(lock);
    if (pid === undefined || !pidAlive(pid)) {
      await unlink(lock).catch(() => {});
      continue;
    }
    if (!told) o.onWait?.(pid);
    told = true;
    if (Date.now() > end)
      throw new BerthError('TIMEOUT', `--state: ${path} is still locked by pid ${pid} after ${Math.round((o.waitMs ?? LOCK_WAIT_MS) / 1000)}s`, {
        hint: `another watch-idle --once is running; if not, remove ${lock}`,
      });
    await sleep(100, undefined, o.signal ? { signal: o.signal } : undefined);
  }
  try {
    return await fn();
  } finally {
    await unlink(lock).catch(() => {});
  }
}

async function tryLock(lock: string): Promise<boolean> {
  try {
    const fh = await open(lock, 'wx', 0o600);
    await fh.writeFile(`${process.pid}\n`);
    await fh.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new BerthError('CONFIG', `--state: cannot lock ${lock}: ${(err as Error).message}`, { cause: err });
  }
}

async function lockHolder(lock: string): Promise<number | undefined> {
  const text = await readFile(lock, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  // A lock just created but not yet written: give its owner a moment.
  if (!text) return (await sleep(50), Number((await readFile(lock, 'utf8').catch(() => '')).trim()) || undefined);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}
