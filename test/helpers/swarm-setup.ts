/**
 * Global setup of the swarm suite (vitest.swarm.config.ts): brings up the 3-node swarm of
 * scripts/test-swarm.sh (one dockerd per node, each in its own namespaces; nothing in the root
 * network namespace) and takes it down at the end, after a failure too. A fixture that cannot start
 * fails the suite with its reason: it is never skipped.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { ROOT } from './paths.js';

const script = join(ROOT, 'scripts', 'test-swarm.sh');

export default async function setup() {
  if (process.getuid?.() !== 0) throw new Error('the swarm suite needs root (network namespaces and three dockerd): run npm test as root');
  const t0 = Date.now();
  const up = await execa('bash', [script, 'up'], { reject: false, timeout: 240_000, all: true });
  if (up.exitCode !== 0) throw new Error(`the test swarm did not come up (scripts/test-swarm.sh up, exit ${up.exitCode}):\n${up.all}`);
  console.error(`swarm setup: 3 nodes up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return async () => {
    const t1 = Date.now();
    await execa('bash', [script, 'down'], { reject: false, timeout: 180_000 });
    console.error(`swarm teardown: down in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  };
}
