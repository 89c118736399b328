/**
 * The oracle harness (harness.ts) against the docker engine, with the docker CLI as the oracle.
 *
 * Seeds: BERTH_SOAK_SEED (one seed, BERTH_SOAK_MINUTES long), BERTH_ORACLE_SEEDS=a,b,c (several, each
 * BERTH_ORACLE_SECONDS of actions), else a few fixed seeds briefly (npm test). The seed is printed on failure.
 */
import { describe, it } from 'vitest';
import { checkSeed, dockerEngine } from './harness.js';

const soakSeed = process.env.BERTH_SOAK_SEED;
const seeds = soakSeed ? [Number(soakSeed)] : process.env.BERTH_ORACLE_SEEDS ? process.env.BERTH_ORACLE_SEEDS.split(',').map(Number) : [1401, 1402];
const actionMs = soakSeed ? Number(process.env.BERTH_SOAK_MINUTES ?? '1') * 60_000 : Number(process.env.BERTH_ORACLE_SECONDS ?? '4') * 1000;

describe('oracle: berth against docker under random load', () => {
  for (const seed of seeds) {
    it(`seed ${seed}`, { timeout: actionMs + 240_000 }, async () => {
      await checkSeed(seed, dockerEngine, actionMs);
    });
  }
});
