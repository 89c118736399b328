// The swarm suite: a real 3-node Docker Swarm (scripts/test-swarm.sh), brought up by its global setup
// and taken down at the end. One file at a time: its tests kill and restart the nodes' engines.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/swarm/**/*.test.ts'],
    globalSetup: ['test/helpers/swarm-setup.ts'],
    pool: 'forks',
    // As the other suites against real engines: one retry, named by scripts/test-summary.js.
    retry: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
