// Two test runs on one engine: a run removes another run's objects only when that run's lease has
// expired, never because a pid is not visible (the other run may live in another pid namespace).
import { afterAll, describe, expect, it } from 'vitest';
import { docker, TEST_IMAGE, uniqueName, waitFor } from '../helpers/docker.js';
import { LEASE_LABEL, RUN_LABEL, TEST_LABEL, RunLease, leases, liveRuns, removeRunObjects, newRunId } from '../helpers/run-lease.js';

const made: string[] = [];
afterAll(async () => {
  await Promise.all(
    made.map((id) =>
      docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
});

async function objectOf(run: string) {
  const c = await docker.createContainer({ Image: TEST_IMAGE, name: uniqueName('lease'), Cmd: ['true'], Labels: { [TEST_LABEL]: '1', [RUN_LABEL]: run } });
  made.push(c.id);
  return c.id;
}

async function leaseExpiringAt(run: string, expires: number) {
  const c = await docker.createContainer({ Image: TEST_IMAGE, name: `berth-test-lease-${run}-${expires}`, Cmd: ['true'], Labels: { [LEASE_LABEL]: run } });
  made.push(c.id);
}

const exists = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

describe('run leases', () => {
  it("keeps a live run's objects, removes an expired or lease-less run's objects, and never its own", async () => {
    const self = newRunId();
    const live = newRunId();
    const dead = newRunId();
    const orphan = newRunId();
    const now = Math.floor(Date.now() / 1000);
    await leaseExpiringAt(live, now + 600);
    await leaseExpiringAt(dead, now - 5);
    const [mine, liveObj, deadObj, orphanObj] = await Promise.all([objectOf(self), objectOf(live), objectOf(dead), objectOf(orphan)]);
    expect(await liveRuns(docker, self)).toContain(live);
    expect(await liveRuns(docker, self)).not.toContain(dead);

    await removeRunObjects(docker, self, false);
    expect(await exists(mine)).toBe(true);
    expect(await exists(liveObj)).toBe(true);
    expect(await exists(deadObj)).toBe(false);
    expect(await exists(orphanObj)).toBe(false);
    expect((await leases(docker)).has(dead)).toBe(false); // the expired lease itself is gone too
    expect((await leases(docker)).has(live)).toBe(true);

    await removeRunObjects(docker, self, true);
    expect(await exists(mine)).toBe(false);
    expect(await exists(liveObj)).toBe(true);
  });

  it('a lease is renewed forward in the engine clock and released at the end', async () => {
    const run = newRunId();
    const lease = new RunLease(docker, run);
    await lease.acquire();
    try {
      const first = (await leases(docker)).get(run)!;
      expect(first).toBeGreaterThan(Math.floor(Date.now() / 1000));
      // renewed until the engine's clock has moved on a second: each renewal is from the engine's now
      await waitFor(async () => (await lease.renew(), (await leases(docker)).get(run)! > first), 10_000, 200);
    } finally {
      await lease.release();
    }
    expect((await leases(docker)).has(run)).toBe(false);
  });
});
