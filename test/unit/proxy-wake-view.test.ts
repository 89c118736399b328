// The public form of wake events: no dependency names,
// budgets or failure details for clients not allowed the admin endpoints.
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WakeEvent } from '../../src/core/idle/types.js';
import { SseHub } from '../../src/core/proxy/sse.js';
import { publicFailure, publicWakeEvent } from '../../src/core/proxy/wake-view.js';

const ev = (event: WakeEvent['event'], message: string, dep?: string): WakeEvent => ({ type: 'wake', event, ts: '2026-01-01T00:00:00.000Z', container: 'app', message, ...(dep ? { dep } : {}) });

describe('publicWakeEvent', () => {
  it('keeps the kind, time and container; replaces the message; drops the dependency', () => {
    const cases: Array<[WakeEvent, string]> = [
      [ev('starting', 'waking app after db (budget 1m30s)'), 'waking app'],
      [ev('waking_dep', 'starting dependency db (service_healthy)', 'db'), 'starting a dependency'],
      [ev('dep_ready', 'dependency db is healthy', 'db'), 'a dependency is ready'],
      [ev('container_woke', 'started app'), 'app started'],
      [ev('waiting_ready', 'waiting for app to be ready (probe http://container:8080/)'), 'waiting for app to be ready'],
      [ev('ready', 'app is ready (healthy) after 2.3s'), 'app is ready'],
      [ev('error', 'Connect Timeout Error (attempted address: 172.18.0.4:8080)'), "the wake failed (the reason is in berth serve's output)"],
    ];
    for (const [e, message] of cases) expect(publicWakeEvent(e)).toEqual({ type: 'wake', event: e.event, ts: e.ts, container: 'app', message });
  });

  it('keeps the step, the step count and the estimate (the page\'s "Step 2 of 6"); drops the dependency list', () => {
    const e: WakeEvent = { ...ev('waking_dep', 'starting dependency db (service_healthy)', 'db'), deps: ['db', 'cache'], step: 2, steps: 8, estimate: { leftMs: 1200, fromWakes: 3 } };
    expect(publicWakeEvent(e)).toEqual({
      type: 'wake',
      event: 'waking_dep',
      ts: e.ts,
      container: 'app',
      message: 'starting a dependency',
      step: 2,
      steps: 8,
      estimate: { leftMs: 1200, fromWakes: 3 },
    });
  });

  it('publicFailure: the reason for admins only', () => {
    expect(publicFailure('app', 'db exited with code 3', true)).toBe('db exited with code 3');
    expect(publicFailure('app', 'db exited with code 3', false)).toBe("the wake failed (the reason is in berth serve's output)");
  });
});

class Res extends EventEmitter {
  body = '';
  writableLength = 0;
  writeHead() {
    return this;
  }
  write(s: string) {
    this.body += s;
    return true;
  }
}

describe('SseHub: detailed and public subscribers', () => {
  it('sends each its own form of the same events, history and live, with the same ids', () => {
    const hub = new SseHub({ max: 10, count: 0 });
    hub.publish('wake', ev('waking_dep', 'starting dependency db (service_healthy)', 'db'));
    const sub = (detailed: boolean) => {
      const res = new Res();
      hub.subscribe(new EventEmitter() as unknown as IncomingMessage, res as unknown as ServerResponse, detailed);
      return res;
    };
    const admin = sub(true);
    const anyone = sub(false);
    hub.publish('wake', ev('starting', 'waking app after db (budget 1m30s)'));
    expect(admin.body).toContain('"dep":"db"');
    expect(admin.body).toContain('budget 1m30s');
    expect(anyone.body).not.toMatch(/db|budget/);
    expect(anyone.body).toContain('"message":"starting a dependency"');
    const ids = (b: string) => [...b.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
    expect(ids(anyone.body)).toEqual(['1', '2']);
    expect(ids(admin.body)).toEqual(ids(anyone.body));
  });
});
