/**
 * --state FILE: the templates saved at the end of a run and loaded at the
 * start of the next, so ids stay stable and only new templates are `new`.
 * Saving is atomic: the JSON goes to a temp file in the same directory,
 * which is fsynced and then renamed over FILE (and the directory fsynced),
 * so a crash or kill at any point leaves either the old file or the new
 * one, never a broken one (a killed save may leave its `.tmp` file behind).
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { BerthError } from '../errors.js';
import { wordsOf, type DrainOptions } from './drain.js';
import { levelCounts, newTemplate, type GroupRef, type Template } from './template.js';

export const STATE_VERSION = 1;

export interface StateFile {
  berthTemplates: number;
  nextId: number;
  options: DrainOptions;
  /** Least recently matched first, so loading restores the eviction order. */
  templates: SavedTemplate[];
}

export interface SavedTemplate {
  id: number;
  group: GroupRef;
  tokens: string[];
  count: number;
  firstTs?: string;
  lastTs?: string;
  levels: Record<string, number>;
  example: string;
}

export function toState(templates: Iterable<Template>, nextId: number, options: DrainOptions): StateFile {
  const list: SavedTemplate[] = [];
  for (const t of templates) {
    const { id, group, count, firstTs, lastTs, levels, example } = t;
    list.push({ id, group, tokens: wordsOf(t), count, firstTs, lastTs, levels: levelCounts(levels), example });
  }
  const { depth, similarity, maxChildren } = options;
  return { berthTemplates: STATE_VERSION, nextId, options: { depth, similarity, maxChildren }, templates: list };
}

export function fromSaved(s: SavedTemplate): Template {
  const t = newTemplate(s.id, s.tokens.join(' '), s.tokens.length, s.group, s.example);
  t.count = s.count;
  t.firstTs = s.firstTs;
  t.lastTs = s.lastTs;
  t.levels = { ...s.levels };
  t.isNew = false;
  t.reported = s.count;
  return t;
}

export function saveState(file: string, state: StateFile): void {
  try {
    writeFileAtomic(file, JSON.stringify(state) + '\n');
  } catch (err) {
    throw new BerthError('FAILED', `--state: cannot save ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The state in `file`, or undefined when it does not exist yet or is empty (as `mktemp` leaves it).
 * A broken file is an error, not ignored. The file's directory must be writable, or the run would
 * end by losing what it learnt: that is checked here, before any input is read.
 */
export function loadState(file: string): StateFile | undefined {
  try {
    accessSync(dirname(resolve(file)), constants.W_OK);
  } catch (err) {
    throw new BerthError('USAGE', `--state: cannot save ${file}: its directory is not writable (${(err as NodeJS.ErrnoException).code})`, { cause: err });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BerthError('FAILED', `--state: cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return text.trim() === '' ? undefined : parseState(text, file);
}

export function parseState(text: string, file: string): StateFile {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new BerthError('INPUT', `--state: ${file} is not a berth templates state file (${(err as Error).message})`);
  }
  const s = v as Partial<StateFile>;
  if (!s || typeof s !== 'object' || s.berthTemplates !== STATE_VERSION || !Array.isArray(s.templates) || typeof s.nextId !== 'number') {
    throw new BerthError('INPUT', `--state: ${file} is not a berth templates state file (version ${STATE_VERSION})`);
  }
  for (const [i, t] of s.templates.entries()) {
    if (!t || typeof t.id !== 'number' || !isWords(t.tokens) || typeof t.count !== 'number' || !t.group || typeof t.group.key !== 'string') {
      throw new BerthError('INPUT', `--state: ${file}: template ${i + 1} is malformed`);
    }
    t.levels ??= {};
    t.example ??= '';
  }
  return s as StateFile;
}

/** Tokens as the masker makes them: words, each without white space (the engine keeps them joined by spaces). */
function isWords(tokens: unknown): boolean {
  return Array.isArray(tokens) && tokens.every((w) => typeof w === 'string' && /^\S+$/.test(w));
}
