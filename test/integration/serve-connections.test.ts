// Open connections and serve's routes: serve's own keep-alive pool to a route is not use (it would keep
// the route awake for the pool's whole keep-alive, 600 s here), while another client's direct connection
// to the route's container is. The upstream is Python's HTTP/1.1 server (berth-test/real) answering with
// `Keep-Alive: timeout=600`, so serve's pool keeps its socket open long past the route's timeout.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn } from '../helpers/exec-in.js';
import { REAL_IMAGE, requireRealImage } from '../helpers/real-stack.js';
import { docker, removeContainer, testLabels, uniqueName } from '../helpers/docker.js';
import { ipOf } from './idle-helpers.js';
import { ServeHarness, isRunning, request } from './serve-harness.js';

const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.test`;

const KEEPALIVE_SERVER = `
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        body = b'pooled-ok\\n'
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('Keep-Alive', 'timeout=600')
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(('', 8080), H).serve_forever()
`;

/** A route of this harness on the real image: the keep-alive server, asleep until serve wakes it. */
async function route(prefix: string): Promise<string> {
  const name = uniqueName(prefix);
  h.made.push(name);
  const labels = h.labels({ 'berth.proxy.host': host(prefix), 'berth.proxy.port': '8080', 'berth.idle.timeout': '3s', 'berth.idle.stop_method': 'kill' });
  await docker.createContainer({ Image: REAL_IMAGE, name, Cmd: ['python3', '-c', KEEPALIVE_SERVER], Labels: testLabels(labels) });
  return name;
}

/** Established connections to port 8080 in the container's namespace, as `ss` in it sees them. */
async function established(name: string): Promise<number> {
  const { out } = await execIn(name, ['ss', '-Htn', 'state', 'established', '( sport = :8080 )']);
  return out.split('\n').filter((l) => l.trim()).length;
}

interface Rec {
  type: string;
  container?: string;
  to?: string;
  action?: string;
  reason?: string;
}

const c: Record<string, string> = {};

beforeAll(async () => {
  await requireRealImage();
  c.pooled = await route('pooled');
  c.direct = await route('direct');
  await h.start();
}, 90_000);

afterAll(async () => {
  await h.stop();
  await Promise.all(h.made.map(removeContainer));
});

const slept = (name: string) => (r: Rec) => r.type === 'idle' && r.container === name && r.to === 'napping';

describe('berth serve: open connections to a route', () => {
  it("serve's own pooled upstream connection does not keep its route awake past its timeout", async () => {
    const res = await request(h.port, host('pooled'));
    expect(res).toMatchObject({ status: 200, body: 'pooled-ok\n' });
    // The pool's socket is there, idle (the upstream allowed it 600 s) ...
    expect(await established(c.pooled!)).toBe(1);
    // ... and the route sleeps on its timeout all the same.
    await h.out!.until(() => h.records<Rec>().some(slept(c.pooled!)), 40_000);
    const stop = h.records<Rec>().find(slept(c.pooled!))!;
    expect(stop.reason).toMatch(/^idle for [\d.]+s \(no request, stream or connection, no open connections, timeout 3s\)$/);
    expect(h.records<Rec>().filter((r) => r.container === c.pooled && r.action === 'keep')).toEqual([]);
    expect(await isRunning(c.pooled!)).toBe(false);
  }, 90_000);

  it("another client's direct connection to a route's container keeps it awake; it sleeps after the connection closes", async () => {
    const res = await request(h.port, host('direct'));
    expect(res.status).toBe(200);
    // Straight to the container, not through serve: a session serve does not see.
    const s = net.connect({ host: await ipOf(c.direct!), port: 8080 });
    await new Promise((resolve, reject) => s.once('connect', resolve).once('error', reject));
    try {
      await h.out!.until(() => h.records<Rec>().some((r) => r.container === c.direct && r.action === 'keep'), 40_000);
      const kept = h.records<Rec>().find((r) => r.container === c.direct && r.action === 'keep')!;
      // serve's own pooled socket is there too, and is not counted
      expect(kept.reason).toMatch(/^idle for [\d.]+s but 1 open connection on port 8080; not stopped$/);
      expect(h.records<Rec>().some(slept(c.direct!))).toBe(false);
      expect(await isRunning(c.direct!)).toBe(true);
    } finally {
      s.destroy();
    }
    await h.out!.until(() => h.records<Rec>().some(slept(c.direct!)), 40_000);
    expect(h.records<Rec>().find(slept(c.direct!))!.reason).toContain('no open connections');
  }, 90_000);
});
