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

  open(port?: number): Promise<void> {
    this.server = net.createServer((client) => {
      const engine = net.connect(ENGINE_SOCKET);
      for (const s of [client, engine]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(engine).pipe(client);
    });
    return new Promise((resolve) => (port === undefined ? this.server!.listen(this.path, resolve) : this.server!.listen(port, '127.0.0.1', resolve)));
  }

  get port(): number {
    return (this.server!.address() as net.AddressInfo).port;
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
    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--interval', '1s', '--json', '--no-stdin'], {
      reject: false,
      env: { DOCKER_HOST: `unix://${relay.path}` },
    });
    const out = new LineCollector(child.stdout!);
    const snaps = () => out.json<TopologyRecord>();
    await out.until(() => snaps().some((s) => s.nodes[0]!.info > 0), 20_000);

    await relay.shut();
    const shutAt = Date.now();
    const downAt = snaps().length;
    await out.until(
      () =>
        snaps()
          .slice(downAt)
          .filter((s) => !s.engineUp).length >= 3,
      20_000,
    );
    await relay.open();
    const reopenAt = Date.now();
    const upAt = snaps().length;
    await out.until(
      () =>
        snaps()
          .slice(upAt)
          .some((s) => s.engineUp && s.nodes[0]!.info > 0),
      30_000,
    );
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

  it('with an engine reached over tcp:// (not this host), says the TCP source is off and maps the rest', async () => {
    const tcpRelay = new Relay('');
    await tcpRelay.open(0);
    try {
      const res = await execa('node', [BERTH_BIN, 'topology', '--project', project, '--interval', '500ms', '--ticks', '4', '--json', '--no-stdin'], {
        reject: false,
        timeout: 30_000,
        env: { DOCKER_HOST: `tcp://127.0.0.1:${tcpRelay.port}` },
      });
      expect(res.exitCode).toBe(0);
      expect(res.stderr).toBe(`berth: TCP connections are not counted: the engine at tcp://127.0.0.1:${tcpRelay.port} is not on this host, so its containers' /proc/<pid>/net/tcp cannot be read`);
      const snaps = res.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as TopologyRecord);
      expect(snaps.map((s) => [s.tick, s.sources.tcp, s.nodes.map((n) => n.id)])).toEqual([1, 2, 3, 4].map((t) => [t, false, ['app']]));
      expect(snaps.reduce((n, s) => n + s.nodes[0]!.info, 0)).toBeGreaterThan(0); // logs still flow through the remote engine
    } finally {
      await tcpRelay.shut();
    }
  }, 60_000);
});
