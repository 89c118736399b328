import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Claims, claimsDir, mayTake, type Claim } from '../../src/core/idle/claims.js';
import { withStateLock } from '../../src/core/idle/state-file.js';
import { closure } from '../../src/core/idle/deps.js';

const dir = () => join(mkdtempSync(join(tmpdir(), 'berth-claims-')), 'claims');
const fixed = () => new Date('2026-12-02T10:00:00Z');
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

describe('claims: one berth process manages a container', () => {
  it('precedence: free or own claims are taken; serve takes over from watch-idle, never the reverse; the first of two equals keeps it', () => {
    const held = (owner: Claim['owner'], pid = 7): Claim => ({ pid, owner, container: 'web', since: '' });
    expect([mayTake('watch-idle', undefined, 1), mayTake('serve', held('serve', 1), 1)]).toEqual([true, true]);
    expect([mayTake('serve', held('watch-idle'), 1), mayTake('watch-idle', held('serve'), 1)]).toEqual([true, false]);
    expect([mayTake('serve', held('serve'), 1), mayTake('watch-idle', held('watch-idle'), 1)]).toEqual([false, false]);
  });

  it('a second process defers while the first lives, takes over a stale claim, and a release frees it', () => {
    const d = dir();
    const live = [100, 200];
    const a = new Claims(d, 'watch-idle', 100, alive(live), fixed);
    const b = new Claims(d, 'watch-idle', 200, alive(live), fixed);
    expect(a.take('abc', 'web')).toBeUndefined();
    expect(b.take('abc', 'web')).toEqual({ pid: 100, owner: 'watch-idle', container: 'web', since: '2026-12-02T10:00:00.000Z' });
    expect(b.holder('abc')).toMatchObject({ pid: 100 });
    expect(a.holder('abc')).toBeUndefined();
    live.splice(0, 1); // pid 100 is gone
    expect(b.take('abc', 'web')).toBeUndefined();
    expect(b.list()).toEqual([{ pid: 200, owner: 'watch-idle', container: 'web', since: '2026-12-02T10:00:00.000Z' }]);
    b.releaseAll();
    expect(b.list()).toEqual([]);
  });

  it('serve takes a container from a running watch-idle, which then sees the claim is not its own before stopping', () => {
    const d = dir();
    const w = new Claims(d, 'watch-idle', 300, alive([300, 400]), fixed);
    const s = new Claims(d, 'serve', 400, alive([300, 400]), fixed);
    expect(w.take('id1', 'app')).toBeUndefined();
    expect(s.take('id1', 'app')).toBeUndefined();
    expect(w.holder('id1')).toMatchObject({ pid: 400, owner: 'serve' });
    expect(w.take('id1', 'app')).toMatchObject({ pid: 400 });
    // watch-idle's release leaves serve's claim alone
    w.releaseAll();
    expect(s.list()).toHaveLength(1);
  });

  it('a corrupt claim file counts as no claim', () => {
    const d = dir();
    const c = new Claims(d, 'serve', 1, alive([1]), fixed);
    writeFileSync(join(d, 'x.json'), '{broken');
    expect(c.read('x')).toBeUndefined();
    expect(c.take('x', 'x')).toBeUndefined();
  });

  it('lives under $BERTH_RUN_DIR, else $XDG_RUNTIME_DIR/berth', () => {
    expect(claimsDir({ BERTH_RUN_DIR: '/r' })).toBe('/r/claims');
    expect(claimsDir({ XDG_RUNTIME_DIR: '/run/user/5' })).toBe('/run/user/5/berth/claims');
  });
});

describe('the --once state lock', () => {
  it('serialises two runs: the second starts only after the first has ended, and the lock is gone after', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'berth-lock-')), 'state.json');
    const log: string[] = [];
    // The first run holds the lock until the second says it waits for it.
    let inside: () => void = () => {};
    const firstIn = new Promise<void>((r) => (inside = r));
    let secondWaits: () => void = () => {};
    const waiting = new Promise<void>((r) => (secondWaits = r));
    const first = withStateLock(path, async () => {
      log.push('a in');
      inside();
      await waiting;
      log.push('a out');
    });
    await firstIn;
    const waits: number[] = [];
    const second = withStateLock(path, async () => void log.push('b in', 'b out'), { onWait: (pid) => (waits.push(pid), secondWaits()) });
    await Promise.all([first, second]);
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(waits).toEqual([process.pid]);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('takes over the lock of a process that is gone, and gives up with TIMEOUT on a live one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'berth-lock-')), 'state.json');
    writeFileSync(`${path}.lock`, '999999999\n');
    expect(await withStateLock(path, async () => 'ran')).toBe('ran');
    writeFileSync(`${path}.lock`, `${process.pid}\n`);
    await expect(withStateLock(path, async () => 'ran', { waitMs: 200 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(`${process.pid}\n`);
  });
});

describe('closure', () => {
  it('is the roots and everything they depend on, each once, cycle-safe', () => {
    const deps: Record<string, string[]> = { app: ['db', 'cache'], db: ['vol'], cache: ['db'], vol: ['app'] };
    expect(closure(['app'], (n) => deps[n] ?? []).sort()).toEqual(['app', 'cache', 'db', 'vol']);
    expect(closure(['x'], (n) => deps[n] ?? [])).toEqual(['x']);
  });
});
