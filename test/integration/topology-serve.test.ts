// The `client` node: requests through a real `berth serve` show on client -> service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BERTH_BIN, removeContainer, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { ServeHarness, httpdCmd, request } from './serve-harness.js';
import type { TopologyRecord } from '../../src/core/records.js';

const h = new ServeHarness();
const project = uniqueName('tsrv').replace(/-/g, '');
const host = `web-${h.run}.test`;

beforeAll(async () => {
  await h.container(
    'web',
    httpdCmd('echo web-ok > /www/index.html'),
    {
      'com.docker.compose.project': project,
      'com.docker.compose.service': 'web',
      'berth.proxy.host': host,
      'berth.proxy.port': '8080',
    },
    true,
  );
  await h.start();
});

afterAll(async () => {
  await h.stop();
  await Promise.all(h.made.map(removeContainer));
});

describe('berth topology --serve', () => {
  it('counts each request proxied by berth serve once, on the edge client -> web', async () => {
    // --no-tcp: this is about serve's requests (TCP counting is topology.test.ts's, and it needs the engine's pid namespace)
    const child = execa('node', [BERTH_BIN, 'topology', '--project', project, '--serve', `127.0.0.1:${h.port}`, '--interval', '1s', '--json', '--no-stdin', '--no-tcp'], { reject: false });
    const out = new LineCollector(child.stdout!);
    const snaps = () => out.json<TopologyRecord>();
    await out.until(() => snaps().length >= 2, 20_000); // serve's counters read once: the baseline
    for (let i = 0; i < 5; i++) expect((await request(h.port, host)).body).toBe('web-ok\n');
    const sum = () => snaps().reduce((n, s) => n + (s.edges.find((e) => e.from === 'client' && e.to === 'web')?.requests ?? 0), 0);
    await out.until(() => sum() >= 5, 20_000);
    const at = snaps().length;
    await out.until(() => snaps().length >= at + 2, 10_000);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);
    expect(res.stderr).toBe('');
    expect(sum()).toBe(5);
    const last = snaps().at(-1)!;
    expect(last.sources.serve).toBe(true);
    expect(last.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['client', 'client'],
      ['web', 'service'],
    ]);
    expect(last.edges).toEqual([{ from: 'client', to: 'web', kind: 'client', count: 0, connections: 0, requests: 0, input: 0 }]);
  }, 90_000);

  it('says once on stderr when serve cannot be read, and keeps the snapshots coming', async () => {
    const res = await execa('node', [BERTH_BIN, 'topology', '--project', project, '--serve', 'http://127.0.0.1:9', '--interval', '300ms', '--ticks', '4', '--json', '--no-stdin'], {
      reject: false,
      timeout: 30_000,
    });
    expect(res.exitCode).toBe(0);
    expect(res.stdout.trim().split('\n')).toHaveLength(4);
    expect(res.stderr).toMatch(/^berth: cannot read berth serve at http:\/\/127\.0\.0\.1:9\/\$berth\/metrics: .*; client requests are not counted until it answers$/);
  });
});
