/**
 * Runs once per vitest run: takes a lease on the engine for this run (run-lease.ts), removes what
 * runs whose lease has expired left behind, and hands this run's id to the tests, which label
 * everything they create with it. At the end it removes this run's own objects and its lease.
 * scripts/test.sh passes one id (BERTH_TEST_RUN) to both of its vitest runs.
 */
import type { TestProject } from 'vitest/node';
import { dockerFromEnv } from './docker.js';
import { newRunId, RunLease, removeRunObjects } from './run-lease.js';

export default async function setup(project: TestProject) {
  const docker = dockerFromEnv();
  const run = process.env.BERTH_TEST_RUN || newRunId();
  const lease = new RunLease(docker, run);
  await lease.acquire();
  const gone = await removeRunObjects(docker, run, false);
  if (gone > 0) console.error(`test setup: removed ${gone} objects of earlier runs whose lease expired`);
  project.provide('runId', run);
  return async () => {
    await removeRunObjects(docker, run, true);
    await lease.release();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    runId: string;
  }
}
