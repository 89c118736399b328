// `berth templates` on the logs of real software in berth-test/real (built by scripts/real-image.sh): a cache
// server whose header ends in a one-character level marker, and a web server's default access log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { berth, docker, removeContainer, testLabels, uniqueName, waitFor } from '../helpers/docker.js';

const REAL = 'berth-test/real';
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

beforeAll(async () => {
  const images = await docker.listImages({ filters: { reference: [REAL] } });
  if (images.length === 0) throw new Error(`image ${REAL} is missing: build it with scripts/real-image.sh`);
});

async function runReal(cmd: string[]): Promise<string> {
  const name = uniqueName('tplreal');
  const c = await docker.createContainer({ Image: REAL, name, Cmd: cmd, Labels: testLabels() });
  made.push(name);
  await c.start();
  return name;
}

const exec = (name: string, cmd: string) => execa('docker', ['exec', name, 'sh', '-c', cmd]);
const logs = async (name: string) => (await execa('docker', ['logs', name], { all: true })).all ?? '';
const templates = async (name: string) => {
  const r = await berth(['templates', name, '--json']);
  expect(r.exitCode).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { template: string; count: number });
};

describe('berth templates: real software', () => {
  it('a header ending in a one-character level marker: markers are not in the templates, and each repeated event is one template', async () => {
    const name = await runReal(['redis-server', '--save', '', '--appendonly', 'no', '--loglevel', 'verbose']);
    await waitFor(async () => (await exec(name, 'redis-cli ping').catch(() => undefined))?.stdout === 'PONG', 20_000);
    const pings = 6;
    for (let i = 1; i < pings; i++) await exec(name, 'redis-cli ping');
    // every connection writes two lines (opened, closed): wait for the last one's
    await waitFor(async () => (await logs(name)).split('\n').filter((l) => / - /.test(l)).length >= 2 * pings, 15_000);
    const recs = await templates(name);
    for (const r of recs) expect(r.template).not.toMatch(/^[-*#.] /);
    // the connection's two events, each once per ping (the first probe's included), one template each
    expect(recs.filter((r) => r.count === pings)).toHaveLength(2);
  });

  it("a web server's default access log is one template whatever the method, path, status and user agent", async () => {
    const name = await runReal(['sh', '-c', 'ln -sf /dev/stdout /var/log/nginx/access.log && exec nginx -g "daemon off;"']);
    await waitFor(async () => (await exec(name, 'curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1/').catch(() => undefined))?.stdout === '200', 20_000);
    const requests = [
      'curl -s -o /dev/null -X POST -A "fetcher/2.1" http://127.0.0.1/larder',
      'curl -s -o /dev/null -X DELETE http://127.0.0.1/jar/7?x=1',
      'curl -s -o /dev/null -I -A "Lynx/9 (Plan 9; amd64) Tinker/3.3 (like Nothing)" http://127.0.0.1/',
      'curl -s -o /dev/null -e https://pantry.example.net/shelf http://127.0.0.1/missing/page',
      'curl -s -o /dev/null -X OPTIONS -A "-" http://127.0.0.1/',
    ];
    for (const r of requests) await exec(name, r);
    await waitFor(async () => (await logs(name)).split('\n').filter((l) => l.includes('HTTP/1.1"')).length >= requests.length + 1, 15_000);
    const recs = await templates(name);
    const access = recs.filter((r) => r.count === requests.length + 1);
    expect(access).toHaveLength(1);
  });
});
