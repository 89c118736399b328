/**
 * Helpers of the Podman suite: the Podman CLI (the oracle) and berth, both pointed at the run's
 * `podman system service` socket (podman-setup.ts). Containers carry the suite's labels (berth.test,
 * berth.test.run) and unique names, so `scripts/test-podman.sh down` removes what the run made.
 */
import { execa, type Options } from 'execa';
import { inject } from 'vitest';
import { berth, runId, uniqueName } from './docker.js';

export { uniqueName, waitFor } from './docker.js';

export const podmanHost = (): string => inject('podmanHost');

/** The Podman CLI against the run's service (remote mode, as `podman --url` users run it). */
export function podman(args: string[], opts: Options = {}) {
  return execa('podman', ['--url', podmanHost(), ...args], { reject: false, timeout: 60_000, ...opts });
}

/** berth pointed at Podman with --host (DOCKER_HOST and CONTAINER_HOST cleared, so nothing else is reached). */
export function berthOnPodman(args: string[], opts: Options = {}) {
  return berth(['--host', podmanHost(), ...args], { ...opts, env: { ...opts.env, DOCKER_HOST: '', CONTAINER_HOST: '' } });
}

export const labelArgs = (extra: Record<string, string> = {}): string[] => Object.entries({ 'berth.test': '1', 'berth.test.run': runId(), ...extra }).flatMap(([k, v]) => ['--label', `${k}=${v}`]);

/** `podman run -d` of the busybox test image with the suite's labels; returns the container's name. */
export async function runOnPodman(script: string, o: { name?: string; args?: string[]; image?: string; labels?: Record<string, string>; cmd?: string[] } = {}): Promise<string> {
  const name = o.name ?? uniqueName('pm');
  const cmd = o.cmd ?? ['sh', '-c', script];
  const r = await podman(['run', '-d', '--name', name, ...labelArgs(o.labels), ...(o.args ?? []), o.image ?? 'berth-test/busybox', ...cmd]);
  if (r.exitCode !== 0) throw new Error(`podman run ${name}: ${r.stderr}`);
  return name;
}

export async function removeOnPodman(...names: string[]): Promise<void> {
  if (names.length) await podman(['rm', '-f', '-t', '0', ...names]);
}

/** NDJSON lines of a berth run as records. */
export const records = <T = Record<string, unknown>>(stdout: unknown): T[] =>
  String(stdout)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
