/**
 * An engine whose follow ends before the last lines a container wrote (Podman ends `logs -f` when the
 * container exits, before its log file is read to the end): the follower reads once more without
 * following, from its cursor, and delivers every line once. The engine here is a small HTTP server that
 * answers the two requests the follower makes: the container's logs and its inspect.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/core/engine/engine.js';
import type { Target } from '../../src/core/engine/select.js';
import { ContainerFollower } from '../../src/core/logs/container-follow.js';
import type { LogLine } from '../../src/core/logs/line.js';

const ID = 'c0ffee'.repeat(10) + 'abcd';
/** Five lines in one second, as a burst container writes them. */
const LOG = Array.from({ length: 5 }, (_, i) => ({ ts: `2026-12-07T10:00:00.${String(100 + i).padStart(9, '0')}Z`, msg: `line ${i + 1}` }));

interface Fake {
  host: string;
  /** The query of each logs request, in order. */
  reads: Array<Record<string, string>>;
  /** Inspects answered: the follower inspects after each read ends, then waits for a start when stopped. */
  inspects: number;
  close(): Promise<void>;
}

/** `followGives`: how many of LOG a follow delivers before it ends; a read without follow gives all of them from `since`. */
async function fakeEngine(followGives: number): Promise<Fake> {
  const reads: Fake['reads'] = [];
  let inspects = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://engine');
    const path = url.pathname.replace(/^\/v[0-9.]+/, '');
    if (path === `/containers/${ID}/json`) {
      inspects++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ Id: ID, Name: '/burst', Config: { Tty: true, Labels: {} }, State: { Running: false } }));
    }
    if (path === `/containers/${ID}/logs`) {
      const q = Object.fromEntries(url.searchParams);
      reads.push(q);
      const since = q.since === undefined ? 0 : Number(q.since.split('.')[0]);
      const from = LOG.filter((l) => Date.parse(l.ts) / 1000 >= since);
      const lines = q.follow === '1' ? from.slice(0, followGives) : from;
      res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' });
      return void res.end(lines.map((l) => `${l.ts} ${l.msg}\n`).join(''));
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'page not found' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `tcp://127.0.0.1:${port}`,
    reads,
    get inspects() {
      return inspects;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let fake: Fake | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/**
 * Follows the container until it waits for a start: the second inspect, after the read that follows the
 * first stop (bounded: 5 s).
 */
async function follow(f: Fake): Promise<LogLine[]> {
  const engine = createEngine({ name: 'fake', host: f.host });
  engine.apiVersion = '1.45';
  const target: Target = { engine, id: ID, name: 'burst', tty: true, running: false, labels: {} };
  const ac = new AbortController();
  const bound = setTimeout(() => ac.abort(), 5000);
  const waiting = setInterval(() => f.inspects >= 2 && ac.abort(), 10);
  const got: LogLine[] = [];
  const follower = new ContainerFollower(target, { query: { tty: true }, signal: ac.signal, onStatus: () => {} }, 'new');
  try {
    for await (const batch of follower.lines()) got.push(...batch);
  } finally {
    clearTimeout(bound);
    clearInterval(waiting);
  }
  return got;
}

describe('a follow that ends before the last lines of a stopped container', () => {
  it('reads once more without following, from the cursor, and delivers each line once', async () => {
    fake = await fakeEngine(3);
    const got = await follow(fake);
    expect(got.map((l) => l.msg)).toEqual(LOG.map((l) => l.msg));
    expect(fake.reads.map((q) => q.follow ?? '')).toEqual(['1', '']);
    expect(fake.inspects, 'the follower came to wait for a start').toBe(2);
    expect(fake.reads[1]!.since).toBe('1796637599.000000102'); // the newest line delivered, less the one-second window
  });

  it('reads once more only once per stop: a follow that gave everything adds no line and no third read', async () => {
    fake = await fakeEngine(LOG.length);
    const got = await follow(fake);
    expect(got.map((l) => l.msg)).toEqual(LOG.map((l) => l.msg));
    expect(fake.reads.map((q) => q.follow ?? '')).toEqual(['1', '']);
    expect(fake.inspects, 'the follower came to wait for a start').toBe(2);
  });
});
