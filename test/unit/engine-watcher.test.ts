/**
 * The engine watcher's subscription and listings, with a scripted engine (listings from a table, an event
 * stream the test writes to, every request counted). What a real engine does: test/integration/engine-calls.test.ts.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/core/engine/engine.js';
import { EngineWatcher } from '../../src/core/select/engine-watcher.js';

interface Box {
  id: string;
  name: string;
  running: boolean;
}

function scripted(boxes: Box[]) {
  const streams: PassThrough[] = [];
  const calls: string[] = [];
  let t = 1_764_000_000_000_000_000n;
  let gate: Promise<void> | undefined;
  let down = false;
  const api = {
    async json(req: { path: string }) {
      calls.push(`GET ${req.path}`);
      if (down) throw Object.assign(new Error('connect ECONNREFUSED /scripted'), { code: 'ECONNREFUSED' });
      const now = boxes.map((b) => ({ Id: b.id, Names: [`/${b.name}`], Labels: {}, State: b.running ? 'running' : 'exited', Status: b.running ? 'Up 1 second' : 'Exited (0) 1 second ago' }));
      await gate;
      return now;
    },
    async stream(req: { path: string }) {
      calls.push(`GET ${req.path}`);
      if (down) throw Object.assign(new Error('connect ECONNREFUSED /scripted'), { code: 'ECONNREFUSED' });
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
  };
  const engine = { name: 'e', endpoint: { name: 'e', host: 'unix:///scripted' }, api, apiVersion: '1.45', local: true, flavor: 'docker' } as unknown as Engine;
  const event = (action: string, id: string, name = id) => {
    t += 1000n;
    streams.at(-1)!.write(`${JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { name } }, time: Number(t / 1_000_000_000n) }).slice(0, -1)},"timeNano":${t}}\n`);
  };
  const hold = () => {
    let open!: () => void;
    gate = new Promise<void>((r) => (open = r));
    return () => ((gate = undefined), open());
  };
  return { engine, event, streams, calls, hold, setDown: (d: boolean) => (down = d) };
}

const until = async (pred: () => boolean) => {
  for (let i = 0; i < 400 && !pred(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(pred()).toBe(true);
};
const view = async (w: EngineWatcher, signal: AbortSignal) => (await w.members(signal)).map((m) => `${m.name}:${m.awake ? 'up' : 'down'}`).sort();

describe('EngineWatcher', () => {
  it('serves every consumer from one subscription and one listing; events met during the listing apply after it', async () => {
    const s = scripted([{ id: 'a1', name: 'a', running: true }]);
    const w = EngineWatcher.of(s.engine);
    expect(EngineWatcher.of(s.engine)).toBe(w);
    const ac = new AbortController();
    const release = s.hold();
    const seen: string[] = [];
    w.listen({ event: (ev, m) => seen.push(`${ev.Action} ${m?.name ?? '-'}`), synced: (first) => seen.push(`synced ${first}`) }, ac.signal);
    const first = w.members(ac.signal);
    await until(() => s.streams.length === 1 && s.calls.includes('GET /containers/json'));
    s.event('create', 'b2', 'b');
    s.event('start', 'b2', 'b');
    s.event('die', 'a1', 'a');
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([]); // held until the listing is in
    release();
    expect((await first).map((m) => m.name).sort()).toEqual(['a', 'b']);
    expect(seen).toEqual(['create b', 'start b', 'die a', 'synced true']);
    expect(await view(w, ac.signal)).toEqual(['a:down', 'b:up']);
    const changes = w.changes(['start', 'die'], ac.signal)[Symbol.asyncIterator]();
    const next = changes.next();
    s.event('destroy', 'b2', 'b');
    s.event('start', 'a1', 'a');
    s.event('die', 'a1', 'a');
    await next;
    await until(() => seen.length === 7);
    expect(await view(w, ac.signal)).toEqual(['a:down']);
    expect(s.calls).toEqual(['GET /events', 'GET /containers/json']);
    ac.abort();
  });

  it('lists again after a reconnect only, and lists once per call while the engine is down', async () => {
    const boxes = [{ id: 'a1', name: 'a', running: true }];
    const s = scripted(boxes);
    const w = EngineWatcher.of(s.engine);
    const ac = new AbortController();
    const synced: boolean[] = [];
    w.listen({ synced: (first) => synced.push(first) }, ac.signal);
    expect(await view(w, ac.signal)).toEqual(['a:up']);
    s.setDown(true);
    boxes.splice(0, 1, { id: 'c3', name: 'c', running: true }); // changed during the outage, no event seen
    s.streams[0]!.end();
    await until(() => !w.synced);
    const calls = s.calls.length;
    await expect(w.members(ac.signal)).rejects.toThrow(/ECONNREFUSED|engine/);
    expect(s.calls.length).toBeGreaterThan(calls);
    expect(s.calls.at(-1)).toBe('GET /containers/json');
    s.setDown(false);
    await until(() => synced.length === 2);
    expect(synced).toEqual([true, false]);
    expect(await view(w, ac.signal)).toEqual(['c:up']);
    ac.abort();
  });
});
