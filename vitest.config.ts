import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/oracle/**/*.test.ts', 'test/chaos/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    // A test against the real engine that fails is run once more; scripts/test-summary.js names every
    // test that needed it (RETRIED, with its first failure), so a flaky test shows in every run's tail.
    retry: 1,
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
