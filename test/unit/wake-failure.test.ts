import { describe, expect, it } from 'vitest';
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import { waitReady, judge } from '../../src/core/idle/readiness.js';
import { WakeFailure, failureKind } from '../../src/core/idle/wake-failure.js';
import { BerthError } from '../../src/core/errors.js';
import { isSubresource, problem, withoutAddresses } from '../../src/core/proxy/wake-answer.js';
import type { UnitState } from '../../src/core/idle/provider.js';

const target = (st: UnitState) => ({ state: async () => st });

describe('typed wake failures', () => {
  it('exited, timeout and unhealthy are told apart by the readiness wait; unhealthy fails at once', async () => {
    await expect(waitReady(target({ id: 'x', running: false, paused: false, exitCode: 3 }), 'web', { timeoutMs: 100 })).rejects.toMatchObject({ kind: 'exited', code: 'FAILED' });
    await expect(waitReady(target({ id: 'x', running: true, paused: false, health: 'starting' }), 'web', { timeoutMs: 100, pollMs: 20 })).rejects.toMatchObject({ kind: 'timeout', code: 'TIMEOUT' });
    // unhealthy: at once, not at the end of the budget, and a failure (exit 1), not a timeout
    const t0 = Date.now();
    await expect(waitReady(target({ id: 'x', running: true, paused: false, health: 'unhealthy', failingStreak: 3 }), 'web', { timeoutMs: 60_000, pollMs: 20 })).rejects.toMatchObject({
      kind: 'unhealthy',
      code: 'FAILED',
      message: 'web is unhealthy: its healthcheck failed 3 times in a row',
    });
    expect(Date.now() - t0).toBeLessThan(1000);
    // docker's unhealthy of a paused container, before its next probe: waited on, a timeout when it stays
    await expect(waitReady(target({ id: 'x', running: true, paused: false, health: 'unhealthy', failingStreak: 0 }), 'web', { timeoutMs: 100, pollMs: 20 })).rejects.toMatchObject({
      kind: 'timeout',
      code: 'TIMEOUT',
    });
    expect([failureKind(new WakeFailure('refused', 'web', 'no')), failureKind(new BerthError('TIMEOUT', 't')), failureKind(new Error('x'))]).toEqual(['refused', 'timeout', 'refused']);
  });

  it('a route without probe or healthcheck waits for its port; with a healthcheck the healthcheck decides', () => {
    const up: UnitState = { id: 'x', running: true, paused: false };
    expect(judge('web', up, 'ready', false, 8080)).toEqual({ kind: 'wait', what: 'port 8080 to accept connections' });
    expect(judge('web', up, 'ready', false)).toEqual({ kind: 'ready', how: 'running' });
    expect(judge('web', { ...up, health: 'healthy' }, 'ready', false, 8080)).toEqual({ kind: 'ready', how: 'healthy' });
    expect(judge('db', up, 'service_started', false, 8080)).toEqual({ kind: 'ready', how: 'running' });
  });

  it('is ready once the port accepts a connection, at the address read with the state', async () => {
    const server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as net.AddressInfo).port;
    const how = await waitReady(target({ id: 'x', running: true, paused: false, address: '127.0.0.1' }), 'web', { timeoutMs: 2000, port });
    server.close();
    expect(how).toBe(`running, port ${port} accepting connections`);
    await expect(waitReady(target({ id: 'x', running: true, paused: false, address: '127.0.0.1' }), 'web', { timeoutMs: 300, pollMs: 50, port })).rejects.toMatchObject({
      kind: 'timeout',
      message: `web was not ready after 0.3s (waiting for port ${port} to accept connections)`,
    });
  });
});

describe('the answer to a failed wake', () => {
  it('is RFC 9457 problem details, typed, without internal addresses', () => {
    expect(problem('web', 'exited', 'web exited with code 3; Connect Timeout Error (attempted address: 172.18.0.4:8080)')).toEqual({
      type: 'https://berth.invalid/problems/wake-exited',
      title: 'web could not be woken: the container exited',
      status: 503,
      detail: 'web exited with code 3; Connect Timeout Error',
      container: 'web',
      kind: 'exited',
    });
    expect(withoutAddresses('connect ECONNREFUSED 10.0.0.7:80 and [fe80::1]:8080')).toBe('connect ECONNREFUSED (address) and (address)');
  });

  it('never lets a page part (favicon, image) wake a crashed container; page loads and API calls may', () => {
    const req = (url: string, headers: Record<string, string>) => ({ url, headers }) as unknown as IncomingMessage;
    expect(isSubresource(req('/favicon.ico', { accept: '*/*' }))).toBe(true);
    expect(isSubresource(req('/logo.png', { 'sec-fetch-dest': 'image' }))).toBe(true);
    expect(isSubresource(req('/x', { accept: 'image/avif,image/webp,*/*' }))).toBe(true);
    expect(isSubresource(req('/', { accept: 'text/html', 'sec-fetch-dest': 'document' }))).toBe(false);
    expect(isSubresource(req('/api/items', { accept: 'application/json', 'sec-fetch-dest': 'empty' }))).toBe(false);
  });
});
