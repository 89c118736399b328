// The Podman suite: berth against Podman's Docker-compatible API (`podman system service` on a socket of
// the run's own, scripts/test-podman.sh), with the Podman CLI as the oracle. Podman's store is the
// machine's: scripts/test.sh runs this suite under a lock, one run at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/podman/**/*.test.ts'],
    globalSetup: ['test/helpers/podman-setup.ts'],
    pool: 'forks',
    // As the other suites against real engines: one retry, named by scripts/test-summary.js.
    retry: 1,
    maxWorkers: 2,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
