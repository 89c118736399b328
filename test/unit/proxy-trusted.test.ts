// Forwarding headers through the proxy: a client's own
// X-Forwarded-*, X-Real-IP and Forwarded reach the app only when the client
// is a --trusted-proxy; otherwise berth's replace them.
import { afterEach, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli.js';
import { parseCidrs, trustedProxyCheck } from '../../src/core/proxy/access.js';
import { rawExchange, rawUpstream, startFront } from './proxy-front.js';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const SPOOF = 'GET / HTTP/1.1\r\nHost: app.test\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n';

async function seenBy(trusted: string[] | undefined): Promise<string> {
  const up = await rawUpstream((_h, s) => s.end('HTTP/1.1 204 No Content\r\n\r\n'));
  const f = await startFront({ upstreamPort: up.port, awake: true, ...(trusted ? { trustedProxies: trustedProxyCheck(parseCidrs(trusted, '--trusted-proxy')) } : {}) });
  cleanup.push(up.close, f.close);
  await rawExchange(f.port, SPOOF);
  return up.seen[0]!.head.toLowerCase();
}

describe('forwarding headers through the proxy', () => {
  it('from a client that is no trusted proxy: replaced, 6.6.6.6 never reaches the app', async () => {
    for (const trusted of [undefined, ['10.0.0.0/8']]) {
      const head = await seenBy(trusted);
      expect(head).not.toContain('6.6.6.6');
      expect(head).toContain('\r\nx-forwarded-for: 127.0.0.1\r\n');
      expect(head).toContain('\r\nx-real-ip: 127.0.0.1\r\n');
      expect(head).toContain('\r\nx-forwarded-proto: http\r\n');
      expect(head).toContain('\r\nforwarded: for=127.0.0.1;host=app.test;proto=http');
    }
  });

  it('from a --trusted-proxy: believed and appended to', async () => {
    const head = await seenBy(['127.0.0.0/8']);
    expect(head).toContain('\r\nx-forwarded-for: 6.6.6.6, 127.0.0.1\r\n');
    expect(head).toContain('\r\nx-real-ip: 6.6.6.6\r\n');
    expect(head).toContain('\r\nx-forwarded-proto: https\r\n');
    expect(head).toContain('\r\nforwarded: for=6.6.6.6, for=127.0.0.1;host=app.test;proto=http');
  });

  it('--trusted-proxy takes addresses and CIDRs, and refuses anything else at parse time (exit 2)', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d) => (err += String(d)));
    const code = await run(['serve', '--trusted-proxy', '10.0.0.0/8', '--trusted-proxy', 'proxy.lan'], {
      stdout: new PassThrough(),
      stderr,
      stdin: new PassThrough(),
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
      signal: new AbortController().signal,
    });
    expect(code).toBe(2);
    expect(err.split('\n')[0]).toBe('berth: --trusted-proxy: expected an address or CIDR like 10.0.0.0/8 or fd00::/8 (got: "proxy.lan")');
  });
});
