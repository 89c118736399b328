import { describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { berth, BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

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
    // Followed live, not replayed: the engine keeps only its last 256 events for --since, which a busy
    // suite running in parallel can push out.
    const label = `berth.test.multi=${uniqueName('multi')}`;
    const child = execa('node', [BERTH_BIN, '-H', socket, '-H', socket, 'events', '--json', '--filter', `label=${label}`], { reject: false });
    const out = new LineCollector(child.stdout!);
    const [k, v] = label.split('=') as [string, string];
    // Until both connections are live, a container's destroy reaches one of them or none: make one more.
    const destroyedTwice = () => {
      const ids = out.lines
        .map((l) => JSON.parse(l.line) as { id: string; action: string })
        .filter((r) => r.action === 'destroy')
        .map((r) => r.id);
      return ids.find((id, i) => ids.indexOf(id) !== i);
    };
    await waitFor(
      async () => {
        const c = await runContainer({ cmd: 'true', labels: { [k]: v } });
        await c.wait();
        await removeContainer(c);
        await new Promise((r) => setTimeout(r, 300));
        return destroyedTwice();
      },
      30_000,
      0,
    );
    child.kill('SIGINT');
    expect((await child).exitCode).toBe(130);
    const recs = out.lines.map((l) => JSON.parse(l.line) as { id: string; action: string; engine: string });
    // the same engine twice: each of its events arrives once per connection, tagged
    expect(recs.filter((r) => r.id === destroyedTwice() && r.action === 'destroy')).toHaveLength(2);
    for (const r of recs) expect(r.engine).toBe(socket);
  });
});
