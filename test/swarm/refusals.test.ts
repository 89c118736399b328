/**
 * What the swarm commands refuse at start, with the exit code of berth's table (src/core/errors.ts):
 * a service that does not exist (4), a stack with no service (4), a global service given to watch-idle (2).
 * Each would otherwise run on with nothing to do, or fail later: the command is bounded by a timeout here.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { berthSwarm, dockerOn, nodeFlags, removeService, serviceName } from '../helpers/swarm.js';

const made: string[] = [];
afterAll(async () => {
  for (const s of made) await removeService(s);
});

/** berth, killed after 20 s if it has not exited by then (which fails the test: it should refuse at once). */
const bounded = (args: string[]) => berthSwarm(args, { timeout: 20_000 });
const oneLine = (stderr: string) => stderr.split('\n').filter(Boolean)[0];

describe('swarm commands refuse at start', () => {
  it('watch-idle --service of a service that does not exist: exit 4, with --once and without', async () => {
    const name = `berth-sw-nosuch-${randomBytes(3).toString('hex')}`;
    for (const once of [['--once'], []]) {
      const r = await bounded(['watch-idle', '--service', name, ...once, ...nodeFlags()]);
      expect([r.exitCode, oneLine(r.stderr)], once.join()).toEqual([4, `berth: no such service: ${name}`]);
      expect(r.stdout).toBe('');
    }
  });

  it('watch-idle --service of a global service: exit 2 at start, one line saying it is global, nothing stopped', async () => {
    const name = serviceName('global');
    made.push(name);
    await dockerOn(1, ['service', 'create', '--detach', '--no-resolve-image', '--mode', 'global', '--label', 'berth.idle.timeout=1s', '--name', name, 'berth-sw/busybox:1', 'sleep', '3600']);
    for (const once of [['--once'], []]) {
      const r = await bounded(['watch-idle', '--service', name, '--interval', '200ms', ...once, ...nodeFlags()]);
      expect([r.exitCode, oneLine(r.stderr)], once.join()).toEqual([2, `berth: service ${name} is global: berth puts only replicated services to sleep (scale to 0) and wakes them`]);
      expect(r.stdout).toBe('');
    }
    const { stdout } = await dockerOn(1, ['service', 'inspect', name, '--format', '{{json .Spec.Mode}}']);
    expect(JSON.parse(stdout)).toEqual({ Global: {} });
  });

  it('serve --stack of a stack with no service: exit 4, "no services in stack", as logs --stack', async () => {
    const stack = `berth-sw-nostack-${randomBytes(3).toString('hex')}`;
    const port = 20_000 + (randomBytes(2).readUInt16BE(0) % 9_000);
    const r = await bounded(['serve', '--stack', stack, '--listen', `127.0.0.1:${port}`, ...nodeFlags()]);
    expect([r.exitCode, oneLine(r.stderr)]).toEqual([4, `berth: no services in stack "${stack}"`]);
    const logs = await bounded(['logs', '--stack', stack, ...nodeFlags()]);
    expect([logs.exitCode, oneLine(logs.stderr)]).toEqual([4, `berth: no services in stack "${stack}"`]);
  });
});
