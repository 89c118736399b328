// The ssh:// transport without an sshd: a stand-in `ssh` first on PATH records its arguments and
// carries stdio to a small HTTP server on a unix socket, as `docker system dial-stdio` carries it to
// the engine. The real ssh, sshd and engine are in test/integration/engine-ssh.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sshArgs } from '../../src/core/engine/ssh.js';
import { DialStdio } from '../../src/core/engine/dial-stdio.js';
import { createEngine, negotiate } from '../../src/core/engine/engine.js';
import { BerthError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-ssh-unit-'));
const sock = join(dir, 'engine.sock');
const log = join(dir, 'ssh.log');
let server: http.Server;

const FAKE_SSH = `#!/usr/bin/env node
const fs = require('node:fs');
fs.appendFileSync(process.env.FAKE_SSH_LOG, JSON.stringify({ pid: process.pid, args: process.argv.slice(2) }) + '\\n');
if (process.env.FAKE_SSH_FAIL) {
  process.stderr.write('Warning: a first line\\n' + process.env.FAKE_SSH_FAIL + '\\n');
  process.exit(255);
}
const s = require('node:net').connect(process.env.FAKE_SSH_SOCK);
process.stdin.pipe(s);
s.pipe(process.stdout);
s.on('close', () => process.exit(0));
`;

beforeAll(async () => {
  writeFileSync(join(dir, 'ssh'), FAKE_SSH.replace('#!/usr/bin/env node', `#!${process.execPath}`));
  chmodSync(join(dir, 'ssh'), 0o755);
  process.env.PATH = `${dir}:${process.env.PATH}`;
  process.env.FAKE_SSH_LOG = log;
  process.env.FAKE_SSH_SOCK = sock;
  server = http.createServer((req, res) => {
    if (req.url === '/version') return res.end(JSON.stringify({ ApiVersion: '1.43' }));
    if (req.url!.includes('/stream')) {
      res.write('{"n":1}\n');
      const t = setInterval(() => res.write('{"n":2}\n'), 50);
      res.on('close', () => clearInterval(t));
      return;
    }
    res.end(JSON.stringify({ url: req.url }));
  });
  await new Promise<void>((r) => server.listen(sock, r));
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const spawned = () =>
  readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { pid: number; args: string[] });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('sshArgs: ssh is run as docker runs it', () => {
  it('passes user, port and host (an alias of ~/.ssh/config stays as written)', () => {
    expect(sshArgs('ssh://ops@lab:2222')).toEqual(['-l', 'ops', '-p', '2222', '-o', 'ConnectTimeout=30', '-T', '--', 'lab', 'docker', 'system', 'dial-stdio']);
    expect(sshArgs('ssh://build-box')).toEqual(['-o', 'ConnectTimeout=30', '-T', '--', 'build-box', 'docker', 'system', 'dial-stdio']);
    expect(sshArgs('ssh://root@[::1]:22').slice(-5)).toEqual(['--', '::1', 'docker', 'system', 'dial-stdio']);
  });
  it("a path names the far side's engine socket", () => {
    expect(sshArgs('ssh://ops@lab/run/user/1000/docker.sock').slice(-6)).toEqual(['lab', 'docker', '--host', 'unix:///run/user/1000/docker.sock', 'system', 'dial-stdio']);
  });
  it('refuses a password, a query and a URL without a host', () => {
    expect(() => sshArgs('ssh://ops:secret@lab')).toThrow(/a password in an ssh:\/\/ URL is not supported/);
    expect(() => sshArgs('ssh://lab?x=1')).toThrow(/takes no query/);
    expect(() => sshArgs('ssh://')).toThrow(BerthError);
  });
});

describe('the engine client over ssh (a stand-in ssh)', () => {
  it('speaks HTTP over the child, reusing one ssh for requests one after another', async () => {
    writeFileSync(log, '');
    const engine = await negotiate(createEngine({ name: 'lab', host: 'ssh://ops@lab:2222' }));
    expect(engine.apiVersion).toBe('1.43');
    expect(await engine.api.json({ path: '/containers/json', query: { all: 1 } })).toEqual({ url: '/v1.43/containers/json?all=1' });
    expect(await engine.api.json({ path: '/info' })).toEqual({ url: '/v1.43/info' });
    const runs = spawned();
    expect(runs).toHaveLength(1);
    expect(runs[0]!.args).toEqual(sshArgs('ssh://ops@lab:2222'));
  });

  it('opens one ssh per stream running at once, and ends the ssh of an aborted stream', async () => {
    writeFileSync(log, '');
    const engine = await negotiate(createEngine({ name: 'lab', host: 'ssh://lab' }));
    const a = new AbortController();
    const b = new AbortController();
    const [ra, rb] = await Promise.all([engine.api.stream({ path: '/stream/a', signal: a.signal }), engine.api.stream({ path: '/stream/b', signal: b.signal })]);
    const first = await new Promise<string>((r) => ra.once('data', (d: Buffer) => r(d.toString())));
    expect(first).toContain('{"n":1}');
    rb.resume();
    const pids = spawned().map((s) => s.pid);
    expect(pids).toHaveLength(2);
    a.abort();
    b.abort();
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(50);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a failing ssh is an unreachable engine (exit 3) whose message carries what ssh said', async () => {
    process.env.FAKE_SSH_FAIL = 'ssh: connect to host lab port 22: Connection refused';
    try {
      const err = await negotiate(createEngine({ name: 'lab', host: 'ssh://lab' })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BerthError);
      expect(err).toMatchObject({ code: 'ENGINE_UNREACHABLE', exitCode: 3 });
      expect((err as Error).message).toBe('cannot connect to the Docker engine at ssh://lab: ssh exited with status 255: Warning: a first line; ssh: connect to host lab port 22: Connection refused');
    } finally {
      delete process.env.FAKE_SSH_FAIL;
    }
  });

  it('names a missing ssh', async () => {
    const path = process.env.PATH;
    process.env.PATH = dir.replace(/[^/]+$/, 'nowhere');
    try {
      const err = await negotiate(createEngine({ name: 'lab', host: 'ssh://lab' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ENGINE_UNREACHABLE' });
      expect((err as Error).message).toMatch(/^cannot connect to the Docker engine at ssh:\/\/lab: ssh is not installed or not on PATH/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('an ssh that goes away before a write', () => {
  it('fails with what ssh said and its status, not with the write (EPIPE)', async () => {
    // The stand-in closes its stdin (as an ssh that gave up), says why, and exits 255 only once told to,
    // so the write below meets a closed pipe every time, before ssh's exit.
    const [closed, go] = [join(dir, 'stdin-closed'), join(dir, 'go')];
    const script = `exec 0<&-; echo "ssh: Could not resolve hostname lab: Name or service not known" >&2; touch ${closed}; while [ ! -e ${go} ]; do sleep 0.01; done; exit 255`;
    const conn = new DialStdio(['-c', script], 'sh');
    const failed = new Promise<Error>((resolve) => conn.on('error', resolve));
    for (let i = 0; i < 500 && !existsSync(closed); i++) await sleep(10);
    expect(existsSync(closed)).toBe(true);
    conn.write('GET /_ping HTTP/1.1\r\nHost: api\r\n\r\n'); // fails at once (EPIPE): nothing reads the pipe
    writeFileSync(go, ''); // ssh exits within milliseconds of this, after the failed write
    const err = await failed;
    expect(err.message).toBe('ssh exited with status 255: ssh: Could not resolve hostname lab: Name or service not known');
  });
});
