/**
 * The engine's events as a test reads them after the fact, without losing any
 * under load.
 *
 * `docker events --since S --until U` answers from the daemon's memory, which
 * holds only its last 256 events. Under CI's load (parallel test files,
 * health checks' exec events) more than 256 can pass between an action and
 * the check that reads it, and the action's event is then gone: a wake's
 * `start` was counted 0 times on Node 24 in a CI run. So a file that imports
 * this module also keeps its own live subscription from that moment on, and
 * `engineEvents` answers with the union of the two: the live record has what
 * left the daemon's memory, the daemon's memory has what the live stream has
 * not delivered yet.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll } from 'vitest';
import { execa } from 'execa';

export interface EngineEvent {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  timeNano: number;
}

const parse = (line: string): EngineEvent | undefined => {
  try {
    const e = JSON.parse(line) as EngineEvent;
    return typeof e.timeNano === 'number' && typeof e.Action === 'string' ? e : undefined;
  } catch {
    return undefined;
  }
};

/** Every event since this module was imported (bounded: the oldest go first past 200,000). */
const live: EngineEvent[] = [];
const follower = spawn('docker', ['events', '--format', '{{json .}}'], { stdio: ['ignore', 'pipe', 'ignore'] });
follower.on('error', () => undefined); // no docker CLI: the daemon's memory still answers
createInterface({ input: follower.stdout }).on('line', (line) => {
  const e = parse(line);
  if (!e) return;
  live.push(e);
  if (live.length > 200_000) live.splice(0, 100_000);
});
afterAll(() => {
  follower.kill();
});

/** Whether `e` passes one `key=value` filter, as the engine's --filter reads it (the keys the tests use). */
export function matchesFilter(e: EngineEvent, filter: string): boolean {
  const eq = filter.indexOf('=');
  const key = filter.slice(0, eq);
  const value = filter.slice(eq + 1);
  const attrs = e.Actor.Attributes ?? {};
  switch (key) {
    case 'container':
      return e.Type === 'container' && (attrs.name === value || e.Actor.ID.startsWith(value));
    case 'event':
      return e.Action === value || e.Action.startsWith(`${value}:`);
    case 'type':
      return e.Type === value;
    case 'label': {
      const at = value.indexOf('=');
      return at < 0 ? value in attrs : attrs[value.slice(0, at)] === value.slice(at + 1);
    }
    default:
      throw new Error(`engineEvents: filter key '${key}' is not supported here (in '${filter}')`);
  }
}

/** The engine's events from `sinceSec` until now that pass every filter (`key=value`), oldest first. */
export async function engineEvents(sinceSec: number, filters: string[]): Promise<EngineEvent[]> {
  const { stdout } = await execa('docker', [
    'events',
    '--since',
    String(sinceSec),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    ...filters.flatMap((f) => ['--filter', f]),
    '--format',
    '{{json .}}',
  ]);
  const sinceNano = sinceSec * 1e9;
  const byKey = new Map<string, EngineEvent>();
  const key = (e: EngineEvent) => `${e.timeNano} ${e.Actor.ID} ${e.Action}`;
  for (const e of live) if (e.timeNano >= sinceNano && filters.every((f) => matchesFilter(e, f))) byKey.set(key(e), e);
  for (const line of stdout.split('\n')) {
    const e = parse(line);
    if (e) byKey.set(key(e), e);
  }
  return [...byKey.values()].sort((a, b) => a.timeNano - b.timeNano);
}
