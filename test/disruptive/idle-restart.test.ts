// Runs only when the test setup started the engine itself (always in CI): kills and restarts it under watch-idle.
import { describe, expect, it } from 'vitest';
import { engineOwned, engineScript, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { watchIdle } from '../integration/idle-helpers.js';

describe.runIf(engineOwned())('berth watch-idle across an engine restart', () => {
  it('reports the outage once, re-reads state when the engine is back, and still stops the idle container', async () => {
    const name = uniqueName('idle-restart');
    await runContainer({
      name,
      cmd: 'exec sleep 600',
      labels: { 'berth.idle.timeout': '6s', 'berth.idle.stop_timeout': '1s' },
      host: { RestartPolicy: { Name: 'always' } },
    });
    const w = watchIdle([name]);
    try {
      await w.waitRec(name, (r) => r.from === 'unknown');
      await engineScript('kill');
      // At least one round without an engine: watch-idle has said it cannot reach it.
      await waitFor(() => w.stderr.join('').includes('cannot connect to the Docker engine'), 30_000);
      await engineScript('start');
      // restart policy "always": the engine starts it again; the watcher tracks it and puts it to sleep after its timeout
      const stopped = await w.waitRec(name, (r) => r.action === 'stop', 90_000);
      expect(stopped).toMatchObject({ from: 'ready', to: 'napping' });
      const err = w.stderr.join('');
      expect(err.match(/cannot connect to the Docker engine/g)).toHaveLength(1);
      expect(err).toMatch(/the engine is back; re-read every container/);
    } finally {
      expect((await w.stop()).exitCode).toBe(130);
      await removeContainer(name);
    }
  });
});
