import { describe, expect, it } from 'vitest';
import { watchEvents, type WatcherStatus } from '../../src/core/events/watcher.js';
import type { EngineEvent, EventQuery } from '../../src/core/events/source.js';
import type { Engine } from '../../src/core/engine/engine.js';
import { BerthError } from '../../src/core/errors.js';
import { DeliveredKeys } from '../../src/core/events/resent.js';

const ev = (id: string, action: string, nanos: bigint): EngineEvent => ({
  Type: 'container',
  Action: action,
  Actor: { ID: id, Attributes: { name: id } },
  time: Number(nanos / 1_000_000_000n),
  timeNano: Number(nanos),
  nanos,
});

/** A fake engine subscription: a script of connections, each yielding events then failing, ending (`end`) or following until aborted. */
function scripted(conns: Array<{ events: EngineEvent[]; fail?: boolean; end?: boolean }>, seen: EventQuery[]) {
  let i = 0;
  return async function* (_e: Engine, q: EventQuery, signal?: AbortSignal) {
    seen.push(q);
    const conn = conns[i++];
    if (!conn) throw new BerthError('ENGINE_UNREACHABLE', 'refused');
    // The engine replays its buffer from `since` (inclusive).
    for (const e of conn.events) if (q.since === undefined || e.nanos >= q.since) yield e;
    if (conn.fail) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    if (conn.end) return;
    // follow until aborted, as the real source does
    const abortError = () => Object.assign(new Error('aborted'), { name: 'AbortError' });
    if (signal!.aborted) throw abortError();
    await new Promise((_, reject) => signal!.addEventListener('abort', () => reject(abortError())));
  };
}

/** One second in nanoseconds. */
const S = 1_000_000_000n;

const fastBackoff = { baseMs: 1, maxMs: 1, factor: 1, jitter: 0, maxAttempts: 5 };

describe('watchEvents', () => {
  it('resumes from the last event after a drop: nothing lost, nothing repeated', async () => {
    const a = ev('a', 'start', 100n);
    const b = ev('b', 'start', 200n);
    const b2 = ev('b2', 'create', 200n); // same nanosecond as b, delivered after the reconnect
    const c = ev('c', 'die', 300n);
    const seen: EventQuery[] = [];
    const statuses: WatcherStatus['kind'][] = [];
    const ac = new AbortController();
    const got: string[] = [];
    const it = watchEvents(
      {} as Engine,
      { subscribe: scripted([{ events: [a, b], fail: true }, { events: [a, b, b2, c] }], seen), backoff: fastBackoff, onStatus: (s) => statuses.push(s.kind), now: () => 50n },
      ac.signal,
    );
    for await (const e of it) {
      got.push(e.Actor.ID);
      if (got.length === 4) ac.abort();
    }
    expect(got).toEqual(['a', 'b', 'b2', 'c']);
    // resumes a window before the newest event (clamped at 0 here), the repeats dropped by identity
    expect(seen.map((q) => q.since)).toEqual([undefined, 0n]);
    expect(statuses).toEqual(['disconnected', 'retrying', 'reconnected']);
  });

  it('keeps events the engine delivers out of time order, live and in the replay after a drop (none lost, none repeated)', async () => {
    const t = (s: number) => BigInt(s) * 1_000_000_000n;
    // Under concurrency the engine sent c (t=30s) before b (t=20s) and e before d; the first connection
    // drops before d arrives.
    const a = ev('a', 'create', t(10));
    const c = ev('c', 'create', t(30));
    const b = ev('b', 'create', t(20));
    const e = ev('e', 'start', t(31));
    const d = ev('d', 'start', t(29));
    const f = ev('f', 'die', t(40));
    const seen: EventQuery[] = [];
    const ac = new AbortController();
    const got: string[] = [];
    const conns = [{ events: [a, c, b, e], fail: true }, { events: [a, b, d, c, e, f] }];
    for await (const x of watchEvents({} as Engine, { subscribe: scripted(conns, seen), backoff: fastBackoff, now: () => 0n }, ac.signal)) {
      got.push(x.Actor.ID);
      if (x.Actor.ID === 'f') ac.abort();
    }
    expect(got).toEqual(['a', 'c', 'b', 'e', 'd', 'f']);
    expect(seen.map((q) => q.since)).toEqual([undefined, t(21)]);
  });

  it('before any event, resumes from when it first subscribed', async () => {
    const seen: EventQuery[] = [];
    const ac = new AbortController();
    const it = watchEvents({} as Engine, { subscribe: scripted([{ events: [], fail: true }, { events: [ev('x', 'create', 1000n)] }], seen), backoff: fastBackoff, now: () => 500n }, ac.signal);
    for await (const e of it) {
      expect(e.Actor.ID).toBe('x');
      ac.abort();
    }
    expect(seen.map((q) => q.since)).toEqual([undefined, 500n]);
  });

  it('gives up with the connection error when retries run out', async () => {
    const seen: EventQuery[] = [];
    const it = watchEvents({} as Engine, { subscribe: scripted([], seen), backoff: { ...fastBackoff, maxAttempts: 2 } }, new AbortController().signal);
    await expect(async () => {
      for await (const _ of it) void _;
    }).rejects.toThrow('refused');
    expect(seen).toHaveLength(3);
  });

  it('ends at --until without reconnecting', async () => {
    const seen: EventQuery[] = [];
    const subscribe = async function* (_e: Engine, q: EventQuery) {
      seen.push(q);
      yield ev('a', 'start', 10n);
    };
    const got: string[] = [];
    for await (const e of watchEvents({} as Engine, { until: 20n, subscribe, now: () => 30n }, new AbortController().signal)) got.push(e.Actor.ID);
    expect(got).toEqual(['a']);
    expect(seen).toHaveLength(1);
  });

  it("on Podman delivers an event once when the engine sends it again on the live stream (its event log's rotation); docker's stream is passed as sent", async () => {
    const a = ev('a', 'start', 100n);
    const b = ev('b', 'die', 200n);
    const c = ev('c', 'create', 300n);
    // The rotation: the kept half of the log (a, b) comes again after b, then the stream goes on (c).
    const run = async (flavor: 'docker' | 'podman') => {
      const ac = new AbortController();
      const got: string[] = [];
      const engine = { flavor } as Engine;
      for await (const e of watchEvents(engine, { subscribe: scripted([{ events: [a, b, a, b, c] }], []), now: () => 0n }, ac.signal)) {
        got.push(e.Actor.ID);
        if (e.Actor.ID === 'c') ac.abort();
      }
      return got;
    };
    expect(await run('podman')).toEqual(['a', 'b', 'c']);
    expect(await run('docker')).toEqual(['a', 'b', 'a', 'b', 'c']);
  });

  /** Follows a scripted Podman engine from 99 s, a clock 1 s further at each reading, until event `last`. */
  const followPodman = async (conns: Array<{ events: EngineEvent[]; end?: boolean }>, last: string) => {
    const seen: EventQuery[] = [];
    const statuses: WatcherStatus['kind'][] = [];
    const ac = new AbortController();
    const got: string[] = [];
    let clock = 105n * S;
    const it = watchEvents(
      { flavor: 'podman' } as Engine,
      { since: 99n * S, subscribe: scripted(conns, seen), backoff: fastBackoff, onStatus: (x) => statuses.push(x.kind), now: () => (clock += S) },
      ac.signal,
    );
    for await (const e of it) {
      got.push(e.Actor.ID);
      if (e.Actor.ID === last) ac.abort();
    }
    return { got, since: seen.map((q) => q.since), statuses };
  };

  it('on Podman reopens a stream that ended cleanly at once and unsaid, from the cursor; a second clean end with nothing new within 10 s is a drop', async () => {
    const [a, b, c] = [ev('a', 'start', 100n * S), ev('b', 'start', 101n * S), ev('c', 'die', 102n * S)];
    // each reopen from the cursor (the newest event, a, less 10 s); the second clean end came 1 s after the
    // first and its stream delivered nothing new
    expect(await followPodman([{ events: [a], end: true }, { events: [a], end: true }, { events: [a, b, c] }], 'c')).toEqual({
      got: ['a', 'b', 'c'],
      since: [99n * S, 90n * S, 90n * S],
      statuses: ['disconnected', 'retrying', 'reconnected'],
    });
  });

  it('on Podman a stream that ended cleanly after a new event is reopened unsaid, however soon (rotations come as fast as events fill the log)', async () => {
    const [a, b, c, d] = [ev('a', 'start', 100n * S), ev('b', 'start', 101n * S), ev('c', 'die', 102n * S), ev('d', 'die', 103n * S)];
    // three clean ends 1 s apart, each after an event not delivered before
    const conns = [{ events: [a], end: true }, { events: [a, b], end: true }, { events: [a, b, c], end: true }, { events: [a, b, c, d] }];
    expect(await followPodman(conns, 'd')).toEqual({ got: ['a', 'b', 'c', 'd'], since: [99n * S, 90n * S, 91n * S, 92n * S], statuses: [] });
  });

  it("Podman's delivered identities: a repeat is refused, and past the bound the oldest is let go", () => {
    const k = new DeliveredKeys(2);
    expect(['a', 'b', 'a', 'c', 'b', 'a'].map((x) => k.add(x))).toEqual([true, true, false, true, false, true]);
    expect(k.size).toBe(2);
  });
});
