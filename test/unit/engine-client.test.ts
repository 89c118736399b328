// berth's engine client against a small HTTP server on a unix socket that records what it is asked
// (the real engine is exercised by every integration test).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, EngineHttpError, encodeQuery } from '../../src/core/engine/client.js';
import { createEngine, negotiate } from '../../src/core/engine/engine.js';
import { toBerthError } from '../../src/core/engine/request.js';
import { BerthError } from '../../src/core/errors.js';

const seen: Array<{ method: string; url: string; type?: string; body: string }> = [];
let server: http.Server;
let sock: string;

beforeAll(async () => {
  sock = join(mkdtempSync(join(tmpdir(), 'berth-client-')), 'engine.sock');
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], body });
      if (req.url === '/version') return res.end(JSON.stringify({ ApiVersion: '1.99' }));
      if (req.url!.includes('/missing/')) return (res.writeHead(404, { 'content-type': 'application/json' }), res.end('{"message":"No such container: missing"}\n'));
      if (req.url!.includes('/start')) return (res.writeHead(304), res.end());
      if (req.url!.includes('/plain')) return (res.writeHead(500), res.end('boom\n'));
      if (req.url!.includes('/stop')) return (res.writeHead(204), res.end());
      res.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = () => new EngineClient({ name: 't', host: `unix://${sock}` });

describe('encodeQuery', () => {
  it('sends objects as JSON, skips undefined and escapes', () => {
    expect(encodeQuery({ all: 'true', filters: { label: ['a=b c'] }, skip: undefined, t: 3 })).toBe('?all=true&filters=%7B%22label%22%3A%5B%22a%3Db%20c%22%5D%7D&t=3');
    expect(encodeQuery({})).toBe('');
    expect(encodeQuery()).toBe('');
  });
});

describe('EngineClient over a unix socket', () => {
  it('negotiates: asks /version unversioned, then prefixes paths with the capped version', async () => {
    const engine = await negotiate(createEngine({ name: 't', host: `unix://${sock}` }));
    expect(engine.apiVersion).toBe('1.45');
    expect(seen.at(-1)!.url).toBe('/version');
    await engine.api.json({ path: '/containers/json', query: { all: 'true' } });
    expect(seen.at(-1)).toMatchObject({ method: 'GET', url: '/v1.45/containers/json?all=true', body: '' });
  });

  it('sends a JSON body with its content type on POST; an empty reply is undefined', async () => {
    const c = client();
    expect(await c.json({ method: 'POST', path: '/containers/x/stop', query: { t: 2 } })).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: '/containers/x/stop?t=2', body: '' });
    expect(await c.json({ method: 'POST', path: '/containers/x/exec', body: { Cmd: ['true'] } })).toEqual({ ok: true });
    expect(seen.at(-1)).toMatchObject({ type: 'application/json', body: '{"Cmd":["true"]}' });
  });

  it('rejects an error status with the engine message and status, which map to berth error codes', async () => {
    const c = client();
    const err = (await c.json({ path: '/containers/missing/json' }).catch((e: unknown) => e)) as EngineHttpError;
    expect(err).toBeInstanceOf(EngineHttpError);
    expect(err.statusCode).toBe(404);
    expect(err.message).toBe('(HTTP code 404) No such container: missing');
    const mapped = toBerthError(createEngine({ name: 't', host: `unix://${sock}` }), err) as BerthError;
    expect(mapped.code).toBe('NOT_FOUND');
    expect(mapped.message).toBe('No such container: missing');
    const plain = (await c.json({ path: '/plain' }).catch((e: unknown) => e)) as EngineHttpError;
    expect([plain.statusCode, plain.message]).toEqual([500, '(HTTP code 500) boom']);
  });

  it('refuses a JSON reply larger than maxBytes', async () => {
    await expect(client().json({ path: '/x', maxBytes: 5 })).rejects.toThrow("the engine's reply is larger than 5 bytes");
    expect(await client().json({ path: '/x', maxBytes: 64 })).toEqual({ ok: true });
  });

  it('treats 304 as an error unless the request lists it (start of a started container)', async () => {
    const c = client();
    expect(((await c.json({ method: 'POST', path: '/containers/x/start' }).catch((e: unknown) => e)) as EngineHttpError).statusCode).toBe(304);
    expect(await c.json({ method: 'POST', path: '/containers/x/start', okStatus: [304] })).toBeUndefined();
  });

  it('rejects with the abort reason when the signal is already aborted or aborts', async () => {
    const c = client();
    const ac = new AbortController();
    ac.abort('stop');
    await expect(c.json({ path: '/x', signal: ac.signal })).rejects.toBe('stop');
  });

  it('reports a missing socket as a connection error (unreachable)', async () => {
    const engine = createEngine({ name: 't', host: `unix://${sock}.gone` });
    const err = await negotiate(engine).catch((e: unknown) => e);
    expect((err as BerthError).code).toBe('ENGINE_UNREACHABLE');
    expect((err as BerthError).message).toContain(`cannot connect to the Docker engine at unix://${sock}.gone`);
  });
});

describe('EngineClient over tcp+TLS', () => {
  let tlsServer: import('node:https').Server;
  let port = 0;
  let dir = '';
  beforeAll(async () => {
    const { execFileSync } = await import('node:child_process');
    const { readFileSync, writeFileSync } = await import('node:fs');
    const https = await import('node:https');
    dir = mkdtempSync(join(tmpdir(), 'berth-tls-'));
    writeFileSync(join(dir, 'san.cnf'), '[req]\ndistinguished_name=dn\n[dn]\n[san]\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'ca.pem'),
        '-config',
        join(dir, 'san.cnf'),
        '-extensions',
        'san',
      ],
      { stdio: 'ignore' },
    );
    tlsServer = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.pem')) }, (req, res) => res.end(JSON.stringify({ path: req.url })));
    await new Promise<void>((r) => tlsServer.listen(0, '127.0.0.1', r));
    port = (tlsServer.address() as import('node:net').AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => tlsServer.close(() => r())));

  it('verifies the engine against the CA when asked, and skips verification when not (as DOCKER_TLS_VERIFY does)', async () => {
    const verified = new EngineClient({ name: 't', host: `tcp://localhost:${port}`, tls: { ca: join(dir, 'ca.pem'), verify: true } });
    expect(await verified.json({ path: '/_ping' })).toEqual({ path: '/_ping' });
    const unverified = new EngineClient({ name: 't', host: `tcp://127.0.0.1:${port}`, tls: { verify: false } });
    expect(await unverified.json({ path: '/x' })).toEqual({ path: '/x' });
    const noCa = new EngineClient({ name: 't', host: `tcp://localhost:${port}`, tls: { verify: true } });
    await expect(noCa.json({ path: '/x' })).rejects.toThrow(/self[- ]signed/i);
  });
});
