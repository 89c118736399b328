import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeContainer, waitFor } from '../helpers/docker.js';
import { start, state, watchIdle } from './idle-helpers.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

/** A unix-socket relay in front of the shared engine: stopping it looks, to berth, like the engine going away (the engine itself is untouched). */
class Relay {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly path: string,
    private readonly target = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, ''),
  ) {}

  up(): Promise<void> {
    rmSync(this.path, { force: true });
    this.server = net.createServer((client) => {
      const engine = net.connect(this.target);
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
    });
    return new Promise((resolve) => this.server!.listen(this.path, resolve));
  }

  down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

describe('berth watch-idle when the engine goes away and comes back', () => {
  it('says so once, waits, re-reads the state when it is back, and still stops the idle container', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-relay-'));
    const relay = new Relay(join(dir, 'docker.sock'));
    await relay.up();
    const c = await start(made, 'outage', { cmd: 'exec sleep 600', labels: { 'berth.idle.timeout': '4s', 'berth.idle.stop_timeout': '1s' } });
    const w = watchIdle([c], [], { DOCKER_HOST: `unix://${relay.path}` });
    try {
      await w.waitRec(c, (r) => r.from === 'unknown');
      await relay.down();
      // a round without an engine, said on stderr; the container idles on meanwhile
      await waitFor(() => /cannot connect to the Docker engine/.test(w.stderr.join('')), 20_000);
      expect((await state(c)).Running).toBe(true);
      await relay.up();
      const stopped = await w.waitRec(c, (r) => r.action === 'stop', 30_000);
      expect(stopped).toMatchObject({ from: 'ready', to: 'napping' });
      const err = w.stderr.join('');
      expect(err.match(/cannot connect to the Docker engine at unix:\/\/.*docker\.sock/g)).toHaveLength(1);
      expect(err).toMatch(/the engine is back; re-read every container and re-armed the idle timers/);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
      await relay.down().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
