// Tests that kill, stop and restart the engine: one file at a time, never beside other tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/disruptive/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
