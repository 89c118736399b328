/**
 * The selection supervisor's bookkeeping, with a scripted engine (containers listed and inspected from a
 * table; events pushed by the test). What engines really do is tested against the real engine in
 * test/integration/supervisor.test.ts and the oracle harness; here: which lifetimes a sequence of
 * events gives, exactly.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { EngineHttpError } from '../../src/core/engine/client.js';
import type { Engine } from '../../src/core/engine/engine.js';
import type { Selection } from '../../src/core/engine/select.js';
import { Supervisor, type Lifetime } from '../../src/core/select/supervisor.js';

const PROJECT = 'com.docker.compose.project';

interface Box {
  id: string;
  name: string;
  labels: Record<string, string>;
  running: boolean;
}

function scriptedEngine(boxes: Box[]) {
  const streams: PassThrough[] = [];
  let t = 1_764_000_000_000_000_000n;
  const api = {
    async json(req: { path: string; query?: { filters?: Record<string, string[]> } }) {
      if (req.path === '/containers/json') {
        const labels = req.query?.filters?.label ?? [];
        const ids = req.query?.filters?.id;
        return boxes
          .filter((b) => labels.every((l) => b.labels[l.split('=')[0]!] === l.split('=')[1]) && (!ids || ids.includes(b.id)))
          .map((b) => ({ Id: b.id, Names: [`/${b.name}`], Labels: b.labels, State: b.running ? 'running' : 'exited' }));
      }
      const m = /^\/containers\/([^/]+)\/json$/.exec(req.path);
      const b = m && boxes.find((x) => x.id === decodeURIComponent(m[1]!) || x.name === decodeURIComponent(m[1]!));
      if (!b) throw new EngineHttpError(404, '(HTTP code 404) no such container', { message: 'No such container' });
      return { Id: b.id, Name: `/${b.name}`, Config: { Labels: b.labels, Tty: false }, State: { Running: b.running } };
    },
    async stream() {
      const s = new PassThrough();
      streams.push(s);
      return s;
    },
  };
  const engine = { name: 'e', endpoint: { name: 'e', host: 'unix:///scripted' }, api, apiVersion: '1.45', local: false } as unknown as Engine;
  const event = (action: string, b: Box) => {
    t += 1000n;
    const attrs = { ...b.labels, name: b.name, image: 'x' };
    const json = JSON.stringify({ Type: 'container', Action: action, Actor: { ID: b.id, Attributes: attrs }, time: Number(t / 1_000_000_000n) });
    streams.at(-1)!.write(`${json.slice(0, -1)},"timeNano":${t}}\n`);
  };
  return { engine, event, streams };
}

const brief = (l: Lifetime) => (l.kind === 'synced' ? 'synced' : `${l.kind} ${l.target.name}${l.kind === 'added' ? (l.history ? ' (history)' : ' (new)') : ''}`);

/** Runs a supervisor, lets `script` drive the engine once it is subscribed, and collects lifetimes until `stopAt` of them (or its end). */
async function run(boxes: Box[], sel: Selection, script: (s: ReturnType<typeof scriptedEngine>) => void, stopAt: number, endWhenNamedGone = false, swarmNode?: string) {
  const s = scriptedEngine(boxes);
  if (swarmNode) s.engine.swarmNode = swarmNode;
  const warnings: string[] = [];
  const sup = new Supervisor([s.engine], sel, { warn: (m) => warnings.push(m), endWhenNamedGone });
  const ac = new AbortController();
  const got: string[] = [];
  const timer = setTimeout(() => ac.abort(), 5000);
  for await (const l of sup.lifetimes(ac.signal)) {
    got.push(brief(l));
    if (l.kind === 'synced') {
      for (const end = Date.now() + 5000; !s.streams.length && Date.now() < end;) await new Promise((r) => setTimeout(r, 5));
      script(s);
    }
    if (got.length >= stopAt) break;
  }
  clearTimeout(timer);
  ac.abort();
  return { got, warnings };
}

describe('Supervisor', () => {
  const web: Box = { id: 'aaa111', name: 'web', labels: { [PROJECT]: 'shop' }, running: true };
  const other: Box = { id: 'ccc333', name: 'other', labels: { [PROJECT]: 'elsewhere' }, running: true };

  it("a swarm task's removal names its node, though only one engine (the manager's) is read; a stopping task of an old service of the same name is not selected", async () => {
    const task = (id: string, svcId: string): Box => ({
      id,
      name: `api.1.${id}`,
      labels: { 'com.docker.swarm.service.name': 'api', 'com.docker.swarm.service.id': svcId, 'com.docker.swarm.task.name': `api.1.${id}` },
      running: true,
    });
    const [old, now] = [task('ddd444', 'OLD'), task('eee555', 'NEW')];
    const { got, warnings } = await run([old, now], { names: [], services: ['api'], serviceIds: ['NEW'] }, ({ event }) => event('destroy', now), 3, false, 'n1');
    expect(got).toEqual(['added api.1.eee555 (history)', 'synced', 'removed api.1.eee555']);
    expect(warnings).toEqual(['container api.1.eee555 (eee555) on n1 was removed']);
  });

  it('a project: the listed container, then one created later through its lifetime; repeats and late events change nothing', async () => {
    const job: Box = { id: 'bbb222', name: 'job', labels: { [PROJECT]: 'shop' }, running: false };
    const { got, warnings } = await run(
      [web, other],
      { names: [], project: 'shop' },
      ({ event }) => {
        event('start', web); // replayed start of a container already running: nothing
        event('create', other); // not in the project
        event('create', job);
        event('start', job);
        event('start', job); // a repeat
        event('die', job);
        event('destroy', job);
        event('die', job); // arrives after the destroy: ignored
        event('start', job);
        event('die', web);
      },
      7,
    );
    expect(got).toEqual(['added web (history)', 'synced', 'added job (new)', 'started job', 'stopped job', 'removed job', 'stopped web']);
    expect(warnings).toEqual(['container job (bbb222) was removed']);
  });

  it('names: ends once every named container was removed', async () => {
    const db: Box = { id: 'ddd444', name: 'db', labels: {}, running: false };
    const { got } = await run(
      [web, db],
      { names: ['web', 'db'] },
      ({ event }) => {
        event('destroy', web);
        event('start', db);
        event('destroy', db);
      },
      99,
      true,
    );
    expect(got).toEqual(['added db (history)', 'added web (history)', 'synced', 'removed web', 'started db', 'removed db']);
  });

  it('a name that no engine has: NOT_FOUND before any lifetime', async () => {
    const s = scriptedEngine([web]);
    const sup = new Supervisor([s.engine], { names: ['nosuch'] }, { warn: () => {} });
    await expect(sup.lifetimes(new AbortController().signal).next()).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no such container: nosuch' });
  });
});
