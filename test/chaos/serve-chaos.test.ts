// The chaos harness for serve and watch-idle (harness.ts) on the docker engine.
//
// npm test: two fixed seeds, 30 s of traffic each. npm run soak: BERTH_SOAK_SEED, BERTH_SOAK_MINUTES.
// Several seeds in one go: BERTH_CHAOS_SEEDS=1,2,3 (with BERTH_SOAK_MINUTES for their length).
import { describe, it } from 'vitest';
import { dockerChaosEngine, runChaosSeed } from './harness.js';

const SOAK_SEED = process.env.BERTH_SOAK_SEED;
const SEEDS = SOAK_SEED ? [Number(SOAK_SEED)] : process.env.BERTH_CHAOS_SEEDS ? process.env.BERTH_CHAOS_SEEDS.split(',').map(Number) : [1501, 2707];
const TRAFFIC_MS = process.env.BERTH_SOAK_MINUTES ? Number(process.env.BERTH_SOAK_MINUTES) * 60_000 : 30_000;

describe('chaos: serve and watch-idle under random clients and containers', () => {
  it.each(SEEDS)('seed %i', (seed) => runChaosSeed(seed, dockerChaosEngine, TRAFFIC_MS), TRAFFIC_MS + 240_000);
});
