// In use means in use, against a real Postgres (berth-test/real, scripts/real-image.sh): watch-idle must
// not stop a database while a quiet psql session or an open transaction holds a connection to it, and
// stops it once the session ends; with berth.idle.connections=ignore a held session does not keep it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execIn as run } from '../helpers/exec-in.js';
import { REAL_IMAGE, requireRealImage } from '../helpers/real-stack.js';
import { docker, removeContainer, testLabels, uniqueName, waitFor } from '../helpers/docker.js';
import { ipOf, state, watchIdle } from './idle-helpers.js';

const made: string[] = [];

beforeAll(async () => {
  await requireRealImage();
});
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

/** A container of the real image (labelled for cleanup). */
async function real(prefix: string, cmd: string[], labels: Record<string, string> = {}, user?: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  const c = await docker.createContainer({ Image: REAL_IMAGE, name, Cmd: cmd, Labels: testLabels(labels), ...(user ? { User: user } : {}) });
  await c.start();
  return name;
}

/** A Postgres managed by berth (timeout and labels given), ready for clients, and a client container beside it. */
async function postgres(labels: Record<string, string>): Promise<{ db: string; ip: string; cli: string }> {
  const db = await real('pg', ['postgres', '-D', '/var/lib/postgresql/15/main', '-c', 'config_file=/etc/postgresql/15/main/postgresql.conf'], labels, 'postgres');
  const cli = await real('psql', ['sleep', 'infinity']);
  await waitFor(async () => (await run(db, ['pg_isready', '-h', '127.0.0.1'])).code === 0, 60_000, 300);
  return { db, ip: await ipOf(db), cli };
}

const psql = (ip: string, sql: string) => ['psql', '-h', ip, '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-Atc', sql];

describe('watch-idle and open connections (real Postgres)', () => {
  it('does not stop Postgres while a quiet psql session (pg_sleep) is open, and stops it after the session ends', async () => {
    const { db, ip, cli } = await postgres({ 'berth.idle.timeout': '6s' });
    const w = watchIdle([db]);
    try {
      await w.waitRec(db, (r) => r.to === 'ready');
      // A session with no traffic for 25 s, four timeouts long.
      const session = run(cli, psql(ip, 'select pg_sleep(25)'));
      const kept = await w.waitRec(db, (r) => r.action === 'keep', 40_000);
      expect(kept.reason).toMatch(/^idle for [\d.]+s but 1 open connection on port 5432; not stopped$/);
      const done = await session;
      const endedAt = Date.now();
      // The session ran to its end: Postgres was not stopped under it (that would exit psql with 2).
      expect(done.code).toBe(0);
      expect(w.find(db, (r) => r.action === 'stop')).toBeUndefined();
      expect((await state(db)).Running).toBe(true);
      const stopped = await w.waitRec(db, (r) => r.action === 'stop', 40_000);
      expect(stopped.reason).toMatch(/^idle for [\d.]+s \(network <= 512 B per reading, no open connections, timeout 6s\)$/);
      expect((stopped as unknown as { at: number }).at).toBeGreaterThanOrEqual(endedAt);
      // A clean shutdown (smart: no session left), not docker's SIGKILL after the stop timeout.
      expect((await state(db)).ExitCode).toBe(0);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
    }
  }, 180_000);

  it('does not stop Postgres under an idle open transaction; its INSERT is committed after the idle time', async () => {
    const { db, ip, cli } = await postgres({ 'berth.idle.timeout': '6s' });
    expect((await run(cli, psql(ip, 'create table kept (x int)'))).code).toBe(0);
    const w = watchIdle([db]);
    try {
      await w.waitRec(db, (r) => r.to === 'ready');
      // psql reads its script from a fifo held open by a writer that sends BEGIN and an INSERT, then
      // waits for /tmp/commit before it sends COMMIT: the transaction stays open, idle, until the test says.
      await run(cli, ['mkfifo', '/tmp/tx']);
      const reader = run(cli, ['sh', '-c', `psql -h ${ip} -U postgres -v ON_ERROR_STOP=1 -f /tmp/tx; echo "psql exited $?"`]);
      const writer = run(cli, ['sh', '-c', 'exec 3>/tmp/tx; echo "BEGIN; INSERT INTO kept VALUES (42);" >&3; while [ ! -e /tmp/commit ]; do sleep 0.2; done; echo "COMMIT;" >&3']);
      const kept = await w.waitRec(db, (r) => r.action === 'keep', 40_000);
      expect(kept.reason).toMatch(/^idle for [\d.]+s but 1 open connection on port 5432; not stopped$/);
      // Held past two more timeouts: a second look must keep it too (its clock was touched, then judged again).
      await waitFor(() => Date.now() - (kept as unknown as { at: number }).at > 13_000 || undefined, 20_000, 200);
      expect(w.find(db, (r) => r.action === 'stop')).toBeUndefined();
      await run(cli, ['touch', '/tmp/commit']);
      await writer;
      const done = await reader;
      expect(done.out).toMatch(/BEGIN\s+INSERT 0 1\s+COMMIT\s+psql exited 0/);
      expect(w.find(db, (r) => r.action === 'stop')).toBeUndefined();
      const rows = await run(cli, psql(ip, 'select x from kept'));
      expect(rows).toEqual({ code: 0, out: expect.stringMatching(/^42\s*$/) });
      const stopped = await w.waitRec(db, (r) => r.action === 'stop', 40_000);
      expect(stopped.reason).toContain('no open connections');
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
    }
  }, 180_000);

  it('with berth.idle.connections=ignore, a held session does not keep Postgres awake', async () => {
    const { db, ip, cli } = await postgres({ 'berth.idle.timeout': '5s', 'berth.idle.connections': 'ignore', 'berth.idle.stop_timeout': '1s' });
    const w = watchIdle([db]);
    try {
      const ready = await w.waitRec(db, (r) => r.to === 'ready');
      const session = run(cli, psql(ip, 'select pg_sleep(120)'));
      const stopped = await w.waitRec(db, (r) => r.action === 'stop', 40_000);
      expect(stopped.reason).toMatch(/^idle for [\d.]+s \(network <= 512 B per reading, connections not counted \(berth\.idle\.connections=ignore\), timeout 5s\)$/);
      expect((stopped as unknown as { at: number }).at - (ready as unknown as { at: number }).at).toBeLessThan(30_000);
      expect(w.find(db, (r) => r.action === 'keep')).toBeUndefined();
      // The session was cut by the stop, long before its 120 s.
      expect((await session).code).not.toBe(0);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
    }
  }, 180_000);
});
