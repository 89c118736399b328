/**
 * `serve` routing to a service whose tasks run on the 3 nodes, while one node's engine is stopped
 * (SIGTERM: dockerd stops its containers and exits; the manager marks the node down about 11 s later).
 * A request whose connect to that node's task is refused goes on to another task, and that task is left
 * out for a while, so no request is answered 502 while the other tasks answer. The oracle is the client's
 * own count of answers, and the manager's node list (the node went down and came back).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { allTaskContainers, dockerOn, follow, inNode, nodeFlags, nodeScript, removeService, routedService, waitUntil } from '../helpers/swarm.js';

const made: string[] = [];
afterAll(async () => {
  for (const s of made) await removeService(s);
});

const APP = 'echo "hello from $(hostname)" > /tmp/index.html; exec httpd -f -p 8080 -h /tmp';

/**
 * Sequential GETs through serve from inside node 1, one every `gapMs`, at most `max`: one JSON line per
 * answer on stdout ([ms since the epoch, status, body]) as it comes; it ends at `max` or on SIGTERM.
 */
function traffic(port: number, host: string, gapMs: number, max: number) {
  const script = `
    const http = require('node:http');
    const [port, host, gap, max] = process.argv.slice(1).map((v, i) => (i === 1 ? v : Number(v)));
    let n = 0, stop = false;
    process.on('SIGTERM', () => (stop = true));
    const one = () => new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host, accept: 'text/plain' }, agent: false, timeout: 30000 }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve([res.statusCode, body.trim()]));
      });
      req.on('timeout', () => req.destroy(new Error('client timeout')));
      req.on('error', (e) => resolve([0, e.message]));
    });
    (async () => {
      while (!stop && n++ < max) {
        const [status, body] = await one();
        process.stdout.write(JSON.stringify([Date.now(), status, body]) + '\\n');
        await new Promise((r) => setTimeout(r, gap));
      }
    })();`;
  const child = inNode(1, 'node', ['-e', script, String(port), host, String(gapMs), String(max)], { buffer: { stdout: false, stderr: true } as never, timeout: 300_000 });
  const answers: Array<[number, number, string]> = [];
  let rest = '';
  child.stdout!.on('data', (d: Buffer) => {
    rest += d.toString('utf8');
    const lines = rest.split('\n');
    rest = lines.pop()!;
    for (const l of lines) if (l) answers.push(JSON.parse(l) as [number, number, string]);
  });
  return { child, answers };
}

const nodeStatus = async (hostname: string) => (await dockerOn(1, ['node', 'ls', '--filter', `name=${hostname}`, '--format', '{{.Status}}'])).stdout.trim();

describe('serve: a node whose engine stops', () => {
  it('requests to a 3-replica service keep being answered by the other tasks while one node is down: no 502, every answer 200', async () => {
    const { svc, stack, host, listen } = await routedService('nd', APP);
    made.push(svc);
    await waitUntil('3 tasks running, one per node', async () => (await allTaskContainers(svc)).map(([n]) => n).join() === '1,2,3');
    const on3 = (await allTaskContainers(svc)).find(([n]) => n === 3)![1].slice(0, 12);
    const serve = follow(['serve', '--stack', stack, '--listen', `127.0.0.1:${listen}`, '--json', ...nodeFlags()], { netns: 1 });
    let client: ReturnType<typeof traffic> | undefined;
    let stopped = false;
    try {
      await waitUntil('serve listening', () => serve.records.some((r) => r.event === 'listening'), 30_000);
      // 40 requests a second, at most 1600 (40 s); node 3's engine is stopped once every task has answered.
      client = traffic(listen, host, 25, 1600);
      const answers = client.answers;
      await waitUntil('every task to answer', () => new Set(answers.map(([, , b]) => b)).size === 3, 30_000);
      const stopAt = Date.now();
      await nodeScript('stop-node', 3);
      stopped = true;
      const exitedAt = Date.now(); // dockerd stopped its containers (node 3's task answered until then) and exited
      await waitUntil('the manager to mark node 3 down', async () => (await nodeStatus('berth-sw-n3')) === 'Down', 60_000);
      const downAt = Date.now();
      await waitUntil('2 s more of answers', () => answers.some(([t]) => t > downAt + 2000), 30_000);
      client.child.kill('SIGTERM');
      await client.child;

      const bad = answers.filter(([, s]) => s !== 200);
      expect(bad.slice(0, 5), `${bad.length} of ${answers.length} answers were not 200`).toEqual([]);
      // Answered throughout: from the stop until the node was marked down, and after, by the other two tasks.
      const during = answers.filter(([t]) => t > stopAt && t <= downAt);
      expect(during.length, `answers in the ${downAt - stopAt} ms node 3 was down before the manager said so`).toBeGreaterThan(((downAt - stopAt) / 1000) * 10);
      const gaps = answers.slice(1).map(([t], i) => t - answers[i]![0]);
      expect(Math.max(...gaps), 'the longest time between two answers (ms)').toBeLessThan(2000);
      console.error(
        `node-down: ${answers.length} answers, ${bad.length} not 200; engine stop took ${exitedAt - stopAt} ms; ${during.length} answers in the ${downAt - stopAt} ms until the manager marked node 3 down; longest gap ${Math.max(...gaps)} ms`,
      );
      const after = new Set(answers.filter(([t]) => t > exitedAt).map(([, , b]) => b.replace('hello from ', '')));
      expect(after.has(on3)).toBe(false);
      expect(after.size).toBe(2);
    } finally {
      if (client && client.child.exitCode === null) client.child.kill('SIGTERM');
      await serve.stop();
      if (stopped) {
        await nodeScript('start-node', 3);
        await waitUntil('node 3 ready in the swarm again', async () => (await nodeStatus('berth-sw-n3')) === 'Ready', 90_000);
      }
    }
  });
});
