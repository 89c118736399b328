/**
 * templates and topology on a compose project that docker-compose (v1) started against Podman's socket
 * (`DOCKER_HOST=unix://SOCK docker-compose up`): the containers carry compose's labels as on docker (they
 * are set by docker-compose itself), so `--project P` finds them. Oracles: `podman logs` for templates'
 * counts, and the client's own count of its connections for topology's TCP source (conntrack: Podman's
 * netavark bridge is in the host's network namespace, and bridged packets pass the host's netfilter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, runId } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { podman, podmanHost, records, uniqueName } from '../helpers/podman.js';
import type { TopologyRecord } from '../../src/core/records.js';

const project = uniqueName('pmcompose').replace(/-/g, '');
const CONNECTIONS = 12;
const dir = mkdtempSync(join(tmpdir(), 'berth-podman-compose-'));

const compose = (args: string[]) => execa('docker-compose', ['-p', project, '-f', join(dir, 'docker-compose.yml'), ...args], { reject: false, timeout: 120_000, env: { DOCKER_HOST: podmanHost() } });
const container = (service: string) => `${project}_${service}_1`;

beforeAll(async () => {
  const labels = `    labels:\n      berth.test: "1"\n      berth.test.run: "${runId()}"\n`;
  // db answers each connection with what it was sent; app waits for /tmp/go, then makes CONNECTIONS
  // connections one after another, each printing the answer, then "done".
  writeFileSync(
    join(dir, 'docker-compose.yml'),
    `version: "3"
services:
  db:
    image: localhost/berth-test/busybox
    command: ["sh", "-c", "nc -ll -p 5432 -e cat"]
${labels}  app:
    image: localhost/berth-test/busybox
    depends_on: [db]
    command: ["sh", "-c", "until [ -e /tmp/go ]; do sleep 0.2; done; i=0; while [ $$i -lt ${CONNECTIONS} ]; do i=$$((i+1)); echo \\"request $$i\\" | nc -w 2 db 5432; done; echo done; sleep 3600"]
${labels}`,
  );
  const up = await compose(['up', '-d']);
  if (up.exitCode !== 0) throw new Error(`docker-compose up against Podman: ${up.stderr}`);
});

afterAll(async () => {
  await compose(['down', '-t', '0']);
});

describe('a docker-compose project on Podman', () => {
  it("carries compose's labels; topology counts each connection between its services once, from conntrack; templates count podman logs' lines", async () => {
    const inspect = await podman(['inspect', '--format', '{{json .Config.Labels}}', container('app')]);
    const labels = JSON.parse(String(inspect.stdout)) as Record<string, string>;
    expect(labels).toMatchObject({ 'com.docker.compose.project': project, 'com.docker.compose.service': 'app', 'com.docker.compose.oneoff': 'False' });

    const topo = execa('node', [BERTH_BIN, '--host', podmanHost(), 'topology', '--project', project, '--interval', '500ms', '--json', '--no-logs', '--no-stdin'], {
      reject: false,
      env: { DOCKER_HOST: '', CONTAINER_HOST: '' },
    });
    const out = new LineCollector(topo.stdout!);
    let err = '';
    topo.stderr!.on('data', (d) => (err += String(d)));
    const snaps = () => out.json<TopologyRecord>();
    const total = () => snaps().reduce((n, s) => n + (s.edges.find((e) => e.from === 'app' && e.to === 'db')?.connections ?? 0), 0);
    try {
      await out.until((ls) => ls.some((l) => /"tcpFrom":"conntrack"/.test(l.line)), 60_000);
      const go = await podman(['exec', container('app'), 'touch', '/tmp/go']);
      expect(go.exitCode, String(go.stderr)).toBe(0);
      const appLogs = async () => String((await podman(['logs', container('app')])).stdout);
      const deadline = Date.now() + 60_000;
      while (!(await appLogs()).includes('done') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      // Two more snapshots after the client's last connection ended: every connection has been counted.
      const seen = snaps().length;
      await out.until((ls) => ls.length >= seen + 2, 30_000);
      const answered = (await appLogs()).split('\n').filter((l) => l.startsWith('request ')).length;
      expect(answered).toBe(CONNECTIONS);
      expect({ connections: total(), tcpFrom: snaps().at(-1)!.sources.tcpFrom, stderr: err }).toEqual({ connections: CONNECTIONS, tcpFrom: 'conntrack', stderr: '' });
      expect(
        snaps()
          .at(-1)!
          .nodes.map((n) => `${n.id} ${n.running}`)
          .sort(),
      ).toEqual(['app 1', 'db 1']);
      console.error(`compose on Podman: ${total()} connections counted by topology, ${CONNECTIONS} made by the client`);
    } finally {
      topo.kill('SIGINT');
      await topo;
    }

    const tpl = await execa('node', [BERTH_BIN, '--host', podmanHost(), 'templates', '--project', project, '--json'], { reject: false, env: { DOCKER_HOST: '', CONTAINER_HOST: '' } });
    expect(tpl.exitCode, String(tpl.stderr)).toBe(0);
    const recs = records<{ service: string; count: number; template: string }>(tpl.stdout);
    const lines = String((await podman(['logs', container('app')])).stdout)
      .split('\n')
      .filter(Boolean).length;
    expect(recs.filter((r) => r.service === 'app').reduce((n, r) => n + r.count, 0)).toBe(lines);
    expect(recs.some((r) => r.service === 'app' && /^request /.test(r.template))).toBe(true);
  });
});
