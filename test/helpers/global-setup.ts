/**
 * Runs once per vitest run: removes containers left by earlier runs that died
 * (their runner's pid is gone), and hands this run's id to the tests, which
 * label everything they create with it. Containers of other live runs are
 * left alone, so two runs can share an engine.
 */
import type { TestProject } from 'vitest/node';
import Docker from 'dockerode';
import { TEST_LABEL, TEST_PID_LABEL, dockerFromEnv } from './docker.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function removeDeadRunLeftovers(docker: Docker): Promise<void> {
  const list = await docker.listContainers({ all: true, filters: { label: [TEST_LABEL] } });
  await Promise.all(
    list
      .filter((c) => !alive(Number(c.Labels[TEST_PID_LABEL])))
      .map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})),
  );
}

export default async function setup(project: TestProject) {
  const docker = dockerFromEnv();
  await removeDeadRunLeftovers(docker);
  project.provide('runPid', process.pid);
  return async () => {
    const list = await docker.listContainers({ all: true, filters: { label: [`${TEST_PID_LABEL}=${process.pid}`] } });
    await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => {})));
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    runPid: number;
  }
}
