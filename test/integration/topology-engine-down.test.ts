// The engine going away, without touching the shared engine: berth talks to
// it through a unix-socket relay owned by this test, and the relay is shut
// (listener closed, every connection cut) and reopened. For berth that is the
// engine stopping and starting. The real stop/start is in test/disruptive/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import type { TopologyRecord } from '../../src/core/records.js';

const ENGINE_SOCKET = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
const project = uniqueName('down').replace(/-/g, '');
const made: string[] = [];

class Relay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  constructor(readonly path: string) {}

  open(): Promise<void> {
    this.server = net.createServer((client) => {
      const engine = net.connect(ENGINE_SOCKET);
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
    });
    return new Promise((resolve) => this.server!.listen(this.path, resolve));
  }

  async shut(): Promise<void> {
    const closed = new Promise((resolve) => this.server?.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

const relay = new Relay(join(tmpdir(), `${uniqueName('relay')}.sock`));

beforeAll(async () => {
  const c = await runContainer({
    name: `${project}-app-1`,
    labels: { 'com.docker.compose.project': project, 'com.docker.compose.service': 'app' },
    cmd: 'while :; do echo "INFO alive"; sleep 0.3; done',
  });
  made.push(c.id);
  await relay.open();
});

afterAll(async () => {
  await relay.shut().catch(() => {});
  await Promise.all(made.map(removeContainer));
});

describe('berth topology when the engine goes away', () => {
  it('keeps a snapshot per tick with the same shape and engineUp:false, then recovers', async () => {
    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--tick', '1s', '--json', '--no-stdin'], {
      reject: false,
      env: { DOCKER_HOST: `unix://${relay.path}` },
    });
    const out = new LineCollector(child.stdout!);
    const snaps = () => out.json<TopologyRecord>();
    await out.until(() => snaps().some((s) => s.nodes[0]!.info > 0), 20_000);

    await relay.shut();
    const shutAt = Date.now();
    const downAt = snaps().length;
    await out.until(() => snaps().slice(downAt).filter((s) => !s.engineUp).length >= 3, 20_000);
    await relay.open();
    const reopenAt = Date.now();
    const upAt = snaps().length;
    await out.until(() => snaps().slice(upAt).some((s) => s.engineUp && s.nodes[0]!.info > 0), 30_000);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);

    const all = snaps();
    expect(all.map((s) => s.tick)).toEqual(all.map((_, i) => i + 1)); // no tick skipped while down
    const shape = (s: TopologyRecord) => JSON.stringify([Object.keys(s), s.nodes.map((n) => [n.id, Object.keys(n)]), s.edges]);
    for (const s of all) expect(shape(s)).toBe(shape(all[0]!));
    const down = all.slice(downAt).filter((s) => !s.engineUp);
    expect(down.length).toBeGreaterThanOrEqual(3);
    // a tick that began after the shut and ended before the reopen: engine down, nothing counted from it
    const wholeDown = all.filter((s) => Date.parse(s.ts) - s.tickMs > shutAt + 100 && Date.parse(s.ts) < reopenAt - 100);
    expect(wholeDown.length).toBeGreaterThanOrEqual(1);
    for (const s of wholeDown) expect(s).toMatchObject({ engineUp: false, nodes: [{ id: 'app', events: 0, logs: 0, info: 0 }] });
    // the lines logged during the outage are not lost: they are counted once the engine is back
    const after = all.slice(upAt);
    expect(after.reduce((n, s) => n + s.nodes[0]!.info, 0)).toBeGreaterThan(0);
    expect(all.at(-1)!.engineUp).toBe(true);
    expect(res.stderr).toMatch(/lost the engine's event stream/);
  }, 90_000);
});
