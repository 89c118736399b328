import { afterAll, describe, expect, it } from 'vitest';
import { docker, removeContainer } from '../helpers/docker.js';
import { roundMarker, start, state, watchIdle } from './idle-helpers.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

const fast = { 'berth.idle.timeout': '2s', 'berth.idle.stop_timeout': '1s' };

describe('berth watch-idle vetoes', () => {
  it('keeps a container its busy check calls busy (exec and cpu), and stops it once the check says idle', async () => {
    const ex = await start(made, 'busy-exec', { cmd: 'echo 1 > /busy; exec sleep 600', labels: { ...fast, 'berth.idle.busy': 'exec:cat /busy' } });
    const cpu = await start(made, 'busy-cpu', { cmd: 'while :; do :; done', labels: { ...fast, 'berth.idle.busy': 'cpu>2%' } });
    const marker = await roundMarker(made);
    const w = watchIdle([ex, cpu, marker]);
    try {
      const kept = await w.waitRec(ex, (r) => r.action === 'keep');
      expect(kept).toMatchObject({ from: 'ready', to: 'ready', reason: expect.stringMatching(/^idle for [\d.]+s but busy: cat \/busy exited 0; not stopped$/) });
      const keptCpu = await w.waitRec(cpu, (r) => r.action === 'keep');
      expect(keptCpu.reason).toMatch(/^idle for [\d.]+s but busy: cpu [\d.]+% > 2% over the last \d+s; not stopped$/);
      // two more rounds judge both again
      await w.fullRound(marker);
      await w.fullRound(marker);
      expect((await state(ex)).Running).toBe(true);
      expect((await state(cpu)).Running).toBe(true);
      // reported once per decision, not every round
      expect(w.recs().filter((r) => r.container === ex && r.action === 'keep')).toHaveLength(1);
      const exec = await docker.getContainer(ex).exec({ Cmd: ['rm', '/busy'] });
      await exec.start({ Detach: true });
      const stopped = await w.waitRec(ex, (r) => r.action === 'stop');
      expect(stopped.reason).toMatch(/; cat \/busy exited 1 \(not busy\)$/);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
    }
  });

  it('keeps a dependency shared by two apps up while one of them is awake (reference counting)', async () => {
    const db = await start(made, 'shared-db', { cmd: 'exec sleep 600', labels: fast });
    const app1 = await start(made, 'app1', { cmd: 'exec sleep 600', labels: { ...fast, 'berth.idle.depends_on': db } });
    // app2 is not managed by berth at all, yet it uses db: db must stay up for it
    const app2 = await start(made, 'app2', { cmd: 'exec sleep 600', labels: { 'berth.idle.depends_on': db } });
    const marker = await roundMarker(made);
    const w = watchIdle([db, app1, marker]);
    try {
      await w.waitRec(app1, (r) => r.action === 'stop');
      // db's rounds before app1's stop may name app1 too (on a loaded machine); once app1 is
      // down, db is kept for app2 alone. A keep that went on naming app1 would time this wait out.
      const kept = await w.waitRec(db, (r) => r.action === 'keep' && !String(r.reason).includes(app1));
      expect(kept.reason).toMatch(new RegExp(`^idle for [\\d.]+s but in use by ${app2} \\(awake dependents\\)$`));
      await w.fullRound(marker); // a later round judged db again
      expect((await state(db)).Running).toBe(true);
      expect(w.find(db, (r) => r.action === 'stop')).toBeUndefined();
      await docker.getContainer(app2).kill();
      const stopped = await w.waitRec(db, (r) => r.action === 'stop');
      expect(stopped).toMatchObject({ from: 'ready', to: 'napping' });
      expect((await state(db)).Running).toBe(false);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
    }
  }, 90_000); // a dependency now sleeps its own timeout after its last dependent, on top of engine latency
});
