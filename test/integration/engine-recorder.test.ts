// The engine recorder (test/helpers/engine-recorder.ts) passes the engine's streams through untouched
// and tells a streaming request (open) from finished ones.
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineRecorder } from '../helpers/engine-recorder.js';
import { removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

describe('engine recorder', () => {
  it('passes an events stream and a followed log stream through, recording each request and which stay open', async () => {
    const rec = await EngineRecorder.start();
    try {
      const client = new Docker({ socketPath: rec.socket });
      const name = uniqueName('rec');
      made.push(name);
      const events = (await client.getEvents({ filters: { type: ['container'], container: [name] } })) as NodeJS.ReadableStream & { destroy(): void };
      let text = '';
      events.on('data', (b: Buffer) => (text += b.toString()));
      await waitFor(() => rec.open('/events').length === 1);
      const c = await runContainer({ name, cmd: 'for i in 1 2 3; do echo line$i; done; exec sleep 60' });
      const logs = (await client.getContainer(c.id).logs({ follow: true, stdout: true })) as NodeJS.ReadableStream & { destroy(): void };
      let out = '';
      logs.on('data', (b: Buffer) => (out += b.toString('latin1')));
      await waitFor(() => out.includes('line3') && text.includes('"start"'));
      expect(rec.open('/events').length).toBe(1);
      expect(rec.open(`/containers/${c.id}/logs`).length).toBe(1);
      events.destroy();
      logs.destroy();
      await waitFor(() => rec.open('/events').length === 0 && rec.open(`/containers/${c.id}/logs`).length === 0);
      const seen = rec.lines().map((l) => l.split('?')[0]);
      expect(seen).toContain('GET /events');
      expect(seen).toContain(`GET /containers/${c.id}/logs`);
    } finally {
      await rec.stop();
    }
  }, 30_000);
});
