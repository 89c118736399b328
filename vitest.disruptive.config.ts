// Tests that kill, stop and restart the engine: one file at a time, never beside other tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/disruptive/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // A test against the real engine that fails is run once more; scripts/test-summary.js names every
    // test that needed it (RETRIED, with its first failure), so a flaky test shows in every run's tail.
    retry: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
