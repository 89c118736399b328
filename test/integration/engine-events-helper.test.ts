/**
 * The tests' reading of the engine's events after the fact (test/helpers/engine-events.ts) keeps an
 * event that has left the daemon's memory of its last 256 events: a start followed by 300 more events
 * is still counted once.
 */
import { afterAll, expect, it } from 'vitest';
import { execa } from 'execa';
import { docker, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { engineEvents } from '../helpers/engine-events.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

it('a start followed by 300 updates is still found, and each event once', async () => {
  const name = uniqueName('evlog');
  made.push(name);
  const since = Math.floor(Date.now() / 1000) - 1;
  await runContainer({ name, cmd: 'exec sleep 300' });
  const c = docker.getContainer(name);
  // An update is one event, logged as the engine answers (a pause can be logged twice under load: once
  // by the call, once more when the runtime's own notice comes after the unpause).
  for (let i = 0; i < 300; i++) await c.update({ CpuShares: 512 + (i % 2) });
  const fromDaemon = (
    await execa('docker', ['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', `container=${name}`, '--format', '{{.Action}}'])
  ).stdout
    .split('\n')
    .filter((a) => a === 'start').length;
  const ours = await engineEvents(since, [`container=${name}`]);
  expect(
    ours.filter((e) => e.Action === 'start'),
    `the daemon's memory alone had ${fromDaemon} start(s)`,
  ).toHaveLength(1);
  expect(ours.filter((e) => e.Action === 'update')).toHaveLength(300); // each once: the two readings' overlap is not counted twice
});
