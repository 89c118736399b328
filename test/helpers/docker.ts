/**
 * Test helpers for the real engine. Every container a test makes carries
 * `berth.test=1` and `berth.test.run=<run id>`, so a run removes what it
 * made, and only another run whose lease expired removes it after a crash
 * (run-lease.ts, global-setup.ts).
 */
import { execa, type Options } from 'execa';
import Docker from 'dockerode';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

import { RUN_LABEL, TEST_LABEL } from './run-lease.js';

export { TEST_LABEL } from './run-lease.js';
export const TEST_IMAGE = 'berth-test/busybox';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BERTH_BIN = join(ROOT, 'bin', 'berth.js');

export function dockerFromEnv(): Docker {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return new Docker({ socketPath: host.slice(7) });
  if (host) return new Docker();
  return new Docker({ socketPath: '/var/run/docker.sock' });
}

export const docker = dockerFromEnv();

/** This run's id (global-setup.ts); a file run outside vitest's setup gets one of its own. */
let ownRun: string | undefined;
export function runId(): string {
  try {
    const id = inject('runId');
    if (id) return id;
  } catch {
    /* not under vitest's global setup */
  }
  ownRun ??= process.env.BERTH_TEST_RUN || randomBytes(6).toString('hex');
  return ownRun;
}

export function uniqueName(prefix: string): string {
  return `berth-test-${prefix}-${randomBytes(3).toString('hex')}`;
}

export function testLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { [TEST_LABEL]: '1', [RUN_LABEL]: runId(), ...extra };
}

export interface RunOptions {
  name?: string;
  /** Default: the busybox test image. */
  image?: string;
  user?: string;
  cmd: string[] | string;
  labels?: Record<string, string>;
  tty?: boolean;
  env?: string[];
  start?: boolean;
  host?: Partial<Docker.HostConfig>;
  healthcheck?: Docker.ContainerCreateOptions['Healthcheck'];
  exposedPorts?: Record<string, object>;
  /** Another engine's client (the Podman suite). */
  client?: Docker;
}

/** Creates (and by default starts) a labelled container from the test image. */
export async function runContainer(o: RunOptions): Promise<Docker.Container> {
  const c = await (o.client ?? docker).createContainer({
    Image: o.image ?? TEST_IMAGE,
    name: o.name ?? uniqueName('c'),
    ...(o.user ? { User: o.user } : {}),
    Cmd: typeof o.cmd === 'string' ? ['sh', '-c', o.cmd] : o.cmd,
    Labels: testLabels(o.labels),
    Tty: o.tty ?? false,
    Env: o.env,
    Healthcheck: o.healthcheck,
    ExposedPorts: o.exposedPorts,
    HostConfig: { ...(o.host ?? {}) },
  });
  if (o.start !== false) await c.start();
  return c;
}

export async function removeContainer(c: Docker.Container | string): Promise<void> {
  const ct = typeof c === 'string' ? docker.getContainer(c) : c;
  await ct.remove({ force: true }).catch(() => {});
}

/** Runs the built CLI (bin/berth.js) as a user would. */
export function berth(args: string[], opts: Options = {}) {
  return execa('node', [BERTH_BIN, ...args], { reject: false, timeout: 60_000, ...opts });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`waitFor timed out after ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
}

/** True when scripts/test-engine.sh started the engine (then tests may stop and restart it). */
export const engineOwned = () => process.env.BERTH_TEST_ENGINE_OWNED === '1';

export function engineScript(action: 'kill' | 'start' | 'stop') {
  return execa('bash', [join(ROOT, 'scripts', 'test-engine.sh'), action], { timeout: 90_000 });
}
