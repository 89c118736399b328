import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEndpoints, DEFAULT_HOST } from '../../src/core/engine/endpoint.js';

let home: string;
let cfg: string;

function addContext(name: string, host: string, tls = false) {
  const d = createHash('sha256').update(name).digest('hex');
  mkdirSync(join(cfg, 'contexts', 'meta', d), { recursive: true });
  writeFileSync(join(cfg, 'contexts', 'meta', d, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
  if (tls) {
    const t = join(cfg, 'contexts', 'tls', d, 'docker');
    mkdirSync(t, { recursive: true });
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(t, f), `${f}\n`);
  }
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'berth-home-'));
  cfg = join(home, '.docker');
  addContext('remote', 'tcp://10.0.0.5:2376', true);
  addContext('lab', 'ssh://ops@lab.example');
  writeFileSync(join(cfg, 'config.json'), JSON.stringify({ currentContext: 'lab' }));
});

describe('resolveEndpoints (docker CLI precedence)', () => {
  it('defaults to the local socket without config', () => {
    expect(resolveEndpoints({ env: {}, home: mkdtempSync(join(tmpdir(), 'empty-')) })).toEqual([{ name: DEFAULT_HOST, host: DEFAULT_HOST }]);
  });
  it('uses the config currentContext when nothing else is set', () => {
    expect(resolveEndpoints({ env: {}, home })[0]).toMatchObject({ name: 'lab', host: 'ssh://ops@lab.example' });
  });
  it('DOCKER_CONTEXT beats the config', () => {
    expect(resolveEndpoints({ env: { DOCKER_CONTEXT: 'remote' }, home })[0]).toMatchObject({ name: 'remote', host: 'tcp://10.0.0.5:2376', tls: { verify: true } });
  });
  it('DOCKER_HOST beats DOCKER_CONTEXT', () => {
    expect(resolveEndpoints({ env: { DOCKER_HOST: 'unix:///tmp/d.sock', DOCKER_CONTEXT: 'remote' }, home })[0]).toEqual({ name: 'unix:///tmp/d.sock', host: 'unix:///tmp/d.sock' });
  });
  it('--context beats DOCKER_HOST, --host beats everything in the environment', () => {
    expect(resolveEndpoints({ contexts: ['remote'], env: { DOCKER_HOST: 'unix:///x' }, home })[0]!.name).toBe('remote');
    expect(resolveEndpoints({ hosts: ['tcp://h:1'], env: { DOCKER_CONTEXT: 'remote' }, home })[0]!.host).toBe('tcp://h:1');
  });
  it('takes several engines', () => {
    expect(resolveEndpoints({ hosts: ['unix:///a', 'unix:///b'], env: {}, home }).map((e) => e.host)).toEqual(['unix:///a', 'unix:///b']);
  });
  it('rejects --host with --context, unknown contexts and bad hosts', () => {
    expect(() => resolveEndpoints({ hosts: ['unix:///a'], contexts: ['lab'], env: {}, home })).toThrow('conflicting options: either specify --host or --context, not both');
    expect(() => resolveEndpoints({ contexts: ['nope'], env: {}, home })).toThrow('context "nope" does not exist');
    expect(() => resolveEndpoints({ hosts: ['localhost:2375'], env: {}, home })).toThrow(/--host: expected unix:\/\/\/path, tcp:\/\/host:port or ssh:\/\/user@host/);
  });
  it('uses TLS for tcp:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const certs = join(cfg, 'contexts', 'tls', createHash('sha256').update('remote').digest('hex'), 'docker');
    const [ep] = resolveEndpoints({ env: { DOCKER_HOST: 'tcp://h:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, home });
    expect(ep!.tls).toEqual({ ca: join(certs, 'ca.pem'), cert: join(certs, 'cert.pem'), key: join(certs, 'key.pem'), verify: true });
  });
});

describe("CONTAINER_HOST (Podman's variable)", () => {
  it('is used when DOCKER_HOST is not set, before DOCKER_CONTEXT and the config', () => {
    expect(resolveEndpoints({ env: { CONTAINER_HOST: 'unix:///run/podman/podman.sock' }, home })).toEqual([{ name: 'unix:///run/podman/podman.sock', host: 'unix:///run/podman/podman.sock' }]);
    expect(resolveEndpoints({ env: { CONTAINER_HOST: 'unix:///run/podman/podman.sock', DOCKER_CONTEXT: 'remote' }, home })[0]!.host).toBe('unix:///run/podman/podman.sock');
  });
  it('DOCKER_HOST, --host and --context beat it', () => {
    const env = { CONTAINER_HOST: 'unix:///run/podman/podman.sock', DOCKER_HOST: 'unix:///tmp/d.sock' };
    expect(resolveEndpoints({ env, home })[0]!.host).toBe('unix:///tmp/d.sock');
    expect(resolveEndpoints({ hosts: ['tcp://h:1'], env: { CONTAINER_HOST: 'unix:///p' }, home })[0]!.host).toBe('tcp://h:1');
    expect(resolveEndpoints({ contexts: ['remote'], env: { CONTAINER_HOST: 'unix:///p' }, home })[0]!.name).toBe('remote');
  });
  it('a bad value is an error naming CONTAINER_HOST', () => {
    expect(() => resolveEndpoints({ env: { CONTAINER_HOST: '/run/podman/podman.sock' }, home })).toThrow(
      'CONTAINER_HOST: expected unix:///path, tcp://host:port or ssh://user@host (got: "/run/podman/podman.sock")',
    );
  });
  it("Podman's ssh form with a socket path is refused with what to do instead", () => {
    expect(() => resolveEndpoints({ env: { CONTAINER_HOST: 'ssh://core@pm.example:22/run/podman/podman.sock' }, home })).toThrow(
      /CONTAINER_HOST: an ssh:\/\/ address with a socket path .* is not supported/,
    );
  });
});
