/** Loads the recorded (and the two constructed) stats payloads in test/fixtures/stats. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';
import type { RawStats } from '../../src/core/stats/formulas.js';

const dir = join(ROOT, 'test', 'fixtures', 'stats');
const text = (f: string) => readFileSync(join(dir, f), 'utf8');

export const fixture = (f: string): RawStats => JSON.parse(text(f)) as RawStats;
export const fixtureList = (f: string): RawStats[] => JSON.parse(text(f)) as RawStats[];
export const fixtureStream = (f: string): RawStats[] =>
  text(f)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as RawStats);
