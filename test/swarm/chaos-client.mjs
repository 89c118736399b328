// Seeded chaos clients for serve in front of a swarm service (test/swarm/serve.test.ts), run inside a
// node's network namespace: N clients over SPAN ms, each one of: a full request; a request the client
// abandons after a random time (often while the service is still waking); a browser that gets the
// loading page and follows the wake over SSE, then leaves; a TCP connection opened and dropped without a
// request. Prints one JSON array: what each client did and saw, and when it left (ms since the start).
// Usage: node chaos-client.mjs PORT HOST SEED N SPAN_MS

import http from 'node:http';
import net from 'node:net';

const [port, host, seed, n, span] = process.argv.slice(2).map((v, i) => (i === 1 ? v : Number(v)));
let a = seed >>> 0;
const next = () => {
  a = (a + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
const KINDS = ['full', 'abort', 'page', 'tcp'];
const t0 = Date.now();
const since = () => Date.now() - t0;

function get(path, accept, holdMs) {
  return new Promise((resolve) => {
    const out = { status: 0, body: '' };
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host, accept }, agent: false }, (res) => {
      out.status = res.statusCode;
      res.setEncoding('utf8');
      res.on('data', (d) => (out.body += d));
      res.on('end', () => resolve({ ...out, done: true }));
      res.on('error', () => resolve({ ...out, done: false }));
    });
    req.on('error', () => resolve({ ...out, done: false }));
    if (holdMs !== undefined) setTimeout(() => (req.destroy(), resolve({ ...out, done: false })), holdMs);
  });
}

async function client(kind, at) {
  await new Promise((r) => setTimeout(r, at));
  const rec = { kind, at };
  if (kind === 'full') Object.assign(rec, await get('/', 'application/json'));
  else if (kind === 'abort') Object.assign(rec, await get('/', 'application/json', int(50, 2500)));
  else if (kind === 'page') {
    const page = await get('/', 'text/html', 5000);
    rec.status = page.status;
    await get('/$berth/wake-events', 'text/event-stream', int(100, 3000));
  } else {
    await new Promise((resolve) => {
      const sock = net.connect({ host: '127.0.0.1', port });
      const done = () => (sock.destroy(), resolve());
      sock.on('error', done);
      setTimeout(done, int(10, 1000));
    });
  }
  rec.body = (rec.body ?? '').slice(0, 80);
  rec.left = since();
  return rec;
}

const plan = Array.from({ length: n }, () => [KINDS[int(0, KINDS.length - 1)], int(0, span)]);
Promise.all(plan.map(([k, at]) => client(k, at))).then((r) => process.stdout.write(JSON.stringify(r)));
