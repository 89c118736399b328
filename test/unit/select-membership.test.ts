import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/core/events/source.js';
import { applyEvent, humanDuration, memberFromListing, statusOf, type Member } from '../../src/core/select/membership.js';

const ev = (Action: string, id: string, atMs: number, attrs: Record<string, string> = {}): EngineEvent =>
  ({ Type: 'container', Action, Actor: { ID: id, Attributes: attrs }, time: atMs / 1000, timeNano: atMs * 1e6, nanos: BigInt(atMs) * 1_000_000n }) as EngineEvent;

describe('a membership view kept by container events', () => {
  it('seeds from a listing: running, paused and exited containers with their status text', () => {
    const listed = [
      { Id: 'a1', Names: ['/web'], Labels: { x: '1' }, State: 'running', Status: 'Up 2 minutes' },
      { Id: 'b2', Names: ['/db'], Labels: {}, State: 'paused', Status: 'Up 1 hour (Paused)' },
      { Id: 'c3', Names: [], State: 'exited', Status: 'Exited (0) 3 days ago' },
    ].map((c) => memberFromListing(c as never));
    expect(listed.map((m) => [m.name, m.awake, m.running, m.paused, statusOf(m, 0)])).toEqual([
      ['web', true, true, false, 'Up 2 minutes'],
      ['db', false, true, true, 'Up 1 hour (Paused)'],
      ['c3', false, false, false, 'Exited (0) 3 days ago'],
    ]);
  });

  it('follows create, start, health, pause, unpause, rename, die and destroy', () => {
    const view = new Map<string, Member>();
    const t = 1_000_000;
    const seen: Array<[string, boolean, boolean, string]> = [];
    const step = (e: EngineEvent, now: number) => {
      const m = applyEvent(view, e);
      seen.push(m ? [m.name, m.awake, m.paused, statusOf(m, now)] : ['-', false, false, view.has('i1') ? 'kept' : 'gone']);
    };
    step(ev('create', 'i1', t, { name: 'app', image: 'busybox', 'com.example': 'v' }), t);
    step(ev('start', 'i1', t + 10), t + 5_010);
    step(ev('health_status: healthy', 'i1', t + 20), t + 5_010);
    step(ev('pause', 'i1', t + 30), t + 65_000);
    step(ev('unpause', 'i1', t + 40), t + 40);
    step(ev('rename', 'i1', t + 50, { name: 'app2', oldName: '/app' }), t + 1_050);
    step(ev('die', 'i1', t + 60, { exitCode: '137' }), t + 2_060);
    step(ev('destroy', 'i1', t + 70), t + 70);
    expect(seen).toEqual([
      ['app', false, false, 'Created'],
      ['app', true, false, 'Up 5 seconds'],
      ['app', true, false, 'Up 5 seconds (healthy)'],
      ['app', false, true, 'Up About a minute (Paused)'],
      ['app', true, false, 'Up Less than a second (healthy)'],
      ['app2', true, false, 'Up 1 second (healthy)'],
      ['app2', false, false, 'Exited (137) 2 seconds ago'],
      ['-', false, false, 'gone'],
    ]);
    expect(view.size).toBe(0);
  });

  it('takes labels from a create event without its image and name attributes; ignores events of unknown containers it cannot make', () => {
    const view = new Map<string, Member>();
    applyEvent(view, ev('create', 'i2', 1, { name: 'x', image: 'img', 'berth.idle.timeout': '5m' }));
    expect(view.get('i2')!.labels).toEqual({ 'berth.idle.timeout': '5m' });
    expect(applyEvent(view, ev('die', 'zz', 2))).toBeUndefined();
    expect(applyEvent(view, ev('destroy', 'zz', 3))).toBeUndefined();
    expect([...view.keys()]).toEqual(['i2']);
  });

  it('writes durations as docker does', () => {
    expect([0, 999, 1000, 59_000, 60_000, 119_000, 120_000, 3_599_000, 3_600_000, 7_200_000, 47 * 3_600_000, 72 * 3_600_000].map(humanDuration)).toEqual([
      'Less than a second',
      'Less than a second',
      '1 second',
      '59 seconds',
      'About a minute',
      'About a minute',
      '2 minutes',
      '59 minutes',
      'About an hour',
      '2 hours',
      '47 hours',
      '3 days',
    ]);
  });
});
