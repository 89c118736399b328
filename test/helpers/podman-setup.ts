/**
 * Global setup of the Podman suite (vitest.podman.config.ts): scripts/test-podman.sh up puts Podman's
 * container limits within the machine's, starts `podman system service` on a socket of this run's own and
 * imports the test images; at the end `down` removes this run's Podman containers and stops the service.
 * A fixture that cannot start fails the suite with its reason: it is never skipped.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT } from './paths.js';

const script = join(ROOT, 'scripts', 'test-podman.sh');

export default async function setup(project: TestProject) {
  if (process.getuid?.() !== 0) throw new Error('the Podman suite runs rootful Podman: run npm test as root');
  const run = process.env.BERTH_TEST_RUN || randomBytes(6).toString('hex');
  const env = { ...process.env, BERTH_TEST_RUN: run };
  const t0 = Date.now();
  const up = await execa('bash', [script, 'up'], { reject: false, timeout: 600_000, env });
  if (up.exitCode !== 0) throw new Error(`Podman's API did not come up (scripts/test-podman.sh up, exit ${up.exitCode}):\n${up.stderr}`);
  console.error(`podman setup: ${up.stdout.trim()} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  project.provide('runId', run);
  project.provide('podmanHost', up.stdout.trim());
  return async () => {
    await execa('bash', [script, 'down'], { reject: false, timeout: 60_000, env });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    podmanHost: string;
  }
}
