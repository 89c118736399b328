import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';

function configWithContext(name: string, host: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
  const d = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(dir, 'contexts', 'meta', d), { recursive: true });
  writeFileSync(join(dir, 'contexts', 'meta', d, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  return dir;
}

const socket = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
const until = () => String(Date.now() / 1000);

describe('engine selection against the real engine', () => {
  it('--context reads ~/.docker/contexts and reaches the engine', async () => {
    const cfg = configWithContext('real', socket);
    const res = await berth(['--context', 'real', 'events', '--since', '5m', '--until', until()], { env: { DOCKER_CONFIG: cfg, DOCKER_HOST: '' } });
    expect(res.stderr).toBe('');
    expect(res.exitCode).toBe(0);
  });

  it('DOCKER_CONTEXT is used when DOCKER_HOST is not set, and DOCKER_HOST wins when it is', async () => {
    const cfg = configWithContext('broken', 'unix:///nonexistent/ctx.sock');
    const viaContext = await berth(['events', '--until', until()], { env: { DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'broken', DOCKER_HOST: '' } });
    expect(viaContext.exitCode).toBe(3);
    expect(viaContext.stderr).toMatch(/unix:\/\/\/nonexistent\/ctx\.sock/);
    const hostWins = await berth(['events', '--since', '5m', '--until', until()], { env: { DOCKER_CONFIG: cfg, DOCKER_CONTEXT: 'broken', DOCKER_HOST: socket } });
    expect(hostWins.exitCode).toBe(0);
  });

  it('several engines: records carry `engine`', async () => {
    const c = await runContainer({ name: uniqueName('multi'), cmd: 'true' });
    await c.wait();
    await removeContainer(c);
    const res = await berth(['-H', socket, '-H', socket, 'events', '--json', '--since', '30s', '--until', until(), '--filter', 'type=container']);
    expect(res.exitCode).toBe(0);
    const recs = res.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const mine = recs.filter((r) => r.id === c.id);
    // the same engine twice: each of its events arrives once per connection, tagged
    expect(mine.filter((r) => r.action === 'destroy')).toHaveLength(2);
    for (const r of recs) expect(r.engine).toBe(socket);
  });
});
