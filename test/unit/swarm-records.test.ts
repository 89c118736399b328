// Swarm records: tasks matched by their service's id when it is known (a removed service's stopping tasks
// are not a new one's of the same name), `node` on every event read from a node's stream, and the
// manager's service logs cut at --until by each line's time.
import { describe, expect, it } from 'vitest';
import { inServices, selectionFilters } from '../../src/core/engine/select.js';
import { toEventRecord } from '../../src/core/events/record.js';
import { before } from '../../src/core/swarm/service-logs.js';
import type { LogLine } from '../../src/core/logs/line.js';

const ev = (Type: string, Action: string, Attributes: Record<string, string>) => ({ Type, Action, Actor: { ID: 'abc', Attributes }, time: 1, timeNano: 1e9, nanos: 1_000_000_000n });

describe('tasks by service id', () => {
  const old = { 'com.docker.swarm.service.name': 'web', 'com.docker.swarm.service.id': 'OLD' };
  const now = { 'com.docker.swarm.service.name': 'web', 'com.docker.swarm.service.id': 'NEW' };
  it('with ids: the engine is asked by the id label, and a task of an old service of the same name is not in', () => {
    expect(selectionFilters({ names: [], services: ['web'], serviceIds: ['NEW'] }).label).toEqual(['com.docker.swarm.service.id=NEW']);
    expect(selectionFilters({ names: [], services: ['web', 'db'], serviceIds: ['NEW', 'DB'] }).label).toEqual(['com.docker.swarm.service.id']);
    expect([inServices({ names: [], services: ['web'], serviceIds: ['NEW'] }, old), inServices({ names: [], services: ['web'], serviceIds: ['NEW'] }, now)]).toEqual([false, true]);
  });
  it('without ids (names only): by the name label, as before', () => {
    expect(selectionFilters({ names: [], services: ['web'] }).label).toEqual(['com.docker.swarm.service.name=web']);
    expect(inServices({ names: [], services: ['web'] }, old)).toBe(true);
  });
});

describe('event records read from a node', () => {
  it('a network event from a node carries the node, as a container event does; one read with no node carries none', () => {
    expect(toEventRecord(ev('network', 'connect', { container: 'c1', name: 'ov', type: 'overlay' }), undefined, 'n2')).toEqual({
      type: 'event',
      ts: '1970-01-01T00:00:01.000000000Z',
      scope: 'network',
      action: 'connect',
      id: 'abc',
      name: 'ov',
      node: 'n2',
      attributes: { container: 'c1', name: 'ov', type: 'overlay' },
    });
    expect(toEventRecord(ev('network', 'create', { name: 'ov' }))).not.toHaveProperty('node');
    expect(toEventRecord(ev('container', 'start', { name: 'x' }), undefined, 'n3')).toMatchObject({ scope: 'container', node: 'n3' });
  });
});

describe("the manager's service logs and --until", () => {
  it('keeps the lines before --until, whatever their order', () => {
    const line = (ts: string) => ({ ts, msg: ts }) as unknown as LogLine;
    const lines = ['2026-01-01T00:00:02.000000000Z', '2026-01-01T00:00:00.500000000Z', '2026-01-01T00:00:01.000000000Z', '2026-01-01T00:00:00.999999999Z'].map(line);
    expect(before(lines, '2026-01-01T00:00:01.000000000Z').map((l) => l.ts)).toEqual(['2026-01-01T00:00:00.500000000Z', '2026-01-01T00:00:00.999999999Z']);
    expect(before(lines, undefined)).toBe(lines);
  });
});
