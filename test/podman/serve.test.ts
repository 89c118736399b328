/**
 * serve on Podman, a basic cycle: a request for a stopped container's host wakes it (Podman starts it,
 * berth proxies to its address on Podman's bridge), and after its idle timeout berth stops it again.
 * Podman's inspect is the oracle for the container's state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { randomBytes } from 'node:crypto';
import { BERTH_BIN } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { httpdCmd, request } from '../integration/serve-harness.js';
import { labelArgs, podman, podmanHost, removeOnPodman, uniqueName, waitFor } from '../helpers/podman.js';

const running = async (name: string) => (await podman(['inspect', '--format', '{{.State.Running}}', name])).stdout.trim() === 'true';
let child: ResultPromise | undefined;
const made: string[] = [];
afterAll(async () => {
  child?.kill('SIGTERM');
  await child;
  await removeOnPodman(...made);
});

describe('serve on Podman', () => {
  it('wakes a stopped container on a request, answers from it, and stops it when idle', async () => {
    const run = randomBytes(4).toString('hex');
    const host = `pm-${run}.test`;
    const name = uniqueName('pmweb');
    made.push(name);
    const labels = { 'berth.test.serve': run, 'berth.proxy.host': host, 'berth.proxy.port': '8080', 'berth.idle.timeout': '3s', 'berth.idle.stop_method': 'kill' };
    const created = await podman(['create', '--name', name, ...labelArgs(labels), 'berth-test/busybox', 'sh', '-c', httpdCmd('echo podman-ok > /www/index.html')]);
    expect(created.exitCode, created.stderr).toBe(0);
    child = execa('node', [BERTH_BIN, '--host', podmanHost(), 'serve', '--listen', '127.0.0.1:0', '--json', '--filter', `label=berth.test.serve=${run}`], {
      reject: false,
      env: { DOCKER_HOST: '', CONTAINER_HOST: '' },
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const out = new LineCollector(child.stdout!);
    await out
      .until((ls) => ls.some((l) => l.line.includes('"listening"')), 30_000)
      .catch((err: Error) => {
        throw new Error(`berth serve did not start: ${err.message}\nstderr: ${stderr}`);
      });
    const port = Number(
      out
        .json<{ event?: string; listen?: string }>()
        .find((r) => r.event === 'listening')!
        .listen!.split(':')
        .pop(),
    );
    expect(await running(name)).toBe(false);
    const res = await request(port, host, '/', { headers: { accept: 'text/plain' } });
    expect(res.status, `${res.body}\n${stderr}`).toBe(200);
    expect(res.body.trim()).toBe('podman-ok');
    expect(await running(name)).toBe(true);
    // idle for 3 s: berth says it put the container to sleep (kill), and Podman's inspect agrees
    await out
      .until((ls) => ls.some((l) => l.line.includes(name) && l.line.includes('"action":"kill"')), 30_000)
      .catch((err: Error) => {
        throw new Error(
          `no kill record: ${err.message}\nrecords: ${out
            .json()
            .map((r) => JSON.stringify(r))
            .join('\n')}\nstderr: ${stderr}`,
        );
      });
    await waitFor(async () => !(await running(name)), 15_000, 250);
  });
});
