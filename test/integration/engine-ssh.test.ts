// An ssh:// engine: berth's own client hands these to docker-modem's ssh transport. A throwaway sshd on
// 127.0.0.1 (scripts/ssh-test-server.sh) leads back to this machine's engine, through `docker system
// dial-stdio` on the far side, as a remote engine would be reached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, removeContainer, ROOT, runContainer, uniqueName, waitFor } from '../helpers/docker.js';

const SCRIPT = join(ROOT, 'scripts', 'ssh-test-server.sh');
const dir = mkdtempSync(join(tmpdir(), 'berth-ssh-'));
const made: string[] = [];
let env: Record<string, string> = {};

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  const port = await freePort();
  const { stdout } = await execa('bash', [SCRIPT, 'start', dir, String(port)]);
  const sock = /^SSH_AUTH_SOCK=(.*)$/m.exec(stdout)![1]!;
  // The far side's docker CLI reaches the engine at its default socket, as the rest of the suite does.
  env = { DOCKER_HOST: `ssh://root@127.0.0.1:${port}`, SSH_AUTH_SOCK: sock, DOCKER_CONTEXT: '' };
}, 120_000);

afterAll(async () => {
  await execa('bash', [SCRIPT, 'stop', dir], { reject: false });
  await Promise.all(made.map(removeContainer));
});

describe('an ssh:// engine', () => {
  it('stats, logs and events work through ssh, with nothing on stderr', async () => {
    const name = uniqueName('ssh');
    made.push(name);
    await runContainer({ name, cmd: 'for i in 1 2 3; do echo "line $i"; done; sleep 300' });
    await waitFor(async () => (await berth(['logs', name], { env })).stdout.includes('line 3'), 20_000, 200);

    const stats = await berth(['stats', '--no-stream', '--json', name], { env });
    expect(stats.stderr).toBe('');
    expect(stats.exitCode).toBe(0);
    const rec = JSON.parse(stats.stdout) as { type: string; name: string; memUsage: number; pids: number };
    expect(rec).toMatchObject({ type: 'stats', name });
    expect(rec.memUsage).toBeGreaterThan(0);
    expect(rec.pids).toBeGreaterThan(0);

    const logs = await berth(['logs', '--json', name], { env });
    expect(logs.stderr).toBe('');
    expect(logs.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['line 1', 'line 2', 'line 3']);

    const events = await berth(['events', '--json', '--since', '5m', '--until', '0s', '--filter', `container=${name}`], { env });
    expect(events.stderr).toBe('');
    expect(events.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(expect.arrayContaining(['create', 'start']));
  });

  it('a missing container is reported as not found, exit 4, as on a local engine', async () => {
    const r = await berth(['stats', '--no-stream', '--json', uniqueName('nope')], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^berth: .*no such container/i);
  });
});
