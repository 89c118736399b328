#!/usr/bin/env node
// npm run soak [-- --seed N] [--minutes M] [--only oracle|chaos] [--swarm]
//
// Runs the seeded harnesses (test/oracle, test/chaos) for long: with --seed, that one seed; without,
// random seeds until --minutes (default 30) have passed. npm test runs the same harnesses with their
// fixed seeds. A harness reads BERTH_SOAK_SEED (one seed), BERTH_SOAK_MINUTES (its time budget) and
// prints the seed of any failure. The engine-killing part runs only with --disruptive. --swarm also runs,
// each round, the seeded chaos clients of serve in front of a swarm service (test/swarm/serve.test.ts,
// on the 3-node test swarm its global setup brings up; root).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const minutes = Number(opt('minutes', '30'));
const only = opt('only', '');
const fixedSeed = opt('seed', '');
if (!Number.isFinite(minutes) || minutes <= 0) {
  console.error(`soak: --minutes expects a positive number (got: ${opt('minutes')})`);
  process.exit(2);
}
// The harnesses run bin/berth.js, which runs the build: make it from the tree as it is.
if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status !== 0) {
  console.error('soak: the build failed (above)');
  process.exit(1);
}
const dirs = ['test/oracle', 'test/chaos'].filter((d) => !only || d.endsWith(only));
const end = Date.now() + minutes * 60_000;
let rounds = 0;
let failed = 0;
do {
  const seed = fixedSeed || String(Math.floor(Math.random() * 2 ** 31));
  const left = Math.max(1, Math.round((end - Date.now()) / 60_000));
  console.error(`soak: round ${++rounds}, seed ${seed}, ${left} min left`);
  const env = { ...process.env, BERTH_SOAK_SEED: seed, BERTH_SOAK_MINUTES: String(fixedSeed ? minutes : Math.min(left, 10)) };
  if (args.includes('--disruptive')) env.BERTH_SOAK_DISRUPTIVE = '1';
  const r = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.soak.config.ts', ...dirs], { stdio: 'inherit', env });
  let status = r.status;
  if (args.includes('--swarm')) {
    const sw = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.swarm.config.ts', 'test/swarm/serve.test.ts', '-t', 'seeded chaos'], {
      stdio: 'inherit',
      env: { ...env, BERTH_SWARM_CHAOS_SEED: seed },
    });
    status ||= sw.status;
  }
  if (status !== 0) {
    failed++;
    console.error(`soak: FAILED with seed ${seed} (re-run: npm run soak -- --seed ${seed} --minutes ${minutes})`);
  }
} while (!fixedSeed && Date.now() < end);
console.error(`soak: ${rounds} rounds, ${failed} failed`);
process.exit(failed ? 1 : 0);
