/**
 * Test runs that share one engine and cannot touch each other.
 *
 * Every container, network and volume a run makes carries `berth.test=1` and `berth.test.run=<run id>`
 * (a random id, not a pid: a pid means nothing across pid namespaces or machines sharing an engine).
 * A run holds a lease on the engine itself: a created, never-started container labelled
 * `berth.test.lease=<run id>` whose name ends in the lease's expiry, in the engine's own clock
 * (`/info` SystemTime), so every reader compares it with the same clock. The run renews it every
 * RENEW_MS by renaming it; it lasts TTL_S. A run removes what it made at its end, and removes another
 * run's objects only when that run's lease has expired or is gone (a run killed with SIGKILL stops
 * renewing, and TTL_S later its leftovers are fair game). Objects without a run label come from test
 * code older than leases and count as expired.
 */
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';

export const TEST_LABEL = 'berth.test';
export const RUN_LABEL = 'berth.test.run';
export const LEASE_LABEL = 'berth.test.lease';
export const TTL_S = 90;
export const RENEW_MS = 15_000;
const LEASE_IMAGE = 'berth-test/busybox';

export const newRunId = () => randomBytes(6).toString('hex');

/** The engine's own time in seconds. */
async function engineNow(docker: Docker): Promise<number> {
  const info = (await docker.info()) as { SystemTime?: string };
  const t = Date.parse(info.SystemTime ?? '');
  return Math.floor((Number.isFinite(t) ? t : Date.now()) / 1000);
}

const leaseName = (run: string, expires: number) => `berth-test-lease-${run}-${expires}`;

/** run id -> expiry (engine seconds) for every lease on the engine. */
export async function leases(docker: Docker): Promise<Map<string, number>> {
  const list = await docker.listContainers({ all: true, filters: { label: [LEASE_LABEL] } });
  const out = new Map<string, number>();
  for (const c of list) {
    const expires = Number(/-(\d+)$/.exec(c.Names[0] ?? '')?.[1] ?? 0);
    out.set(c.Labels[LEASE_LABEL] ?? '', Math.max(expires, out.get(c.Labels[LEASE_LABEL] ?? '') ?? 0));
  }
  return out;
}

/** Run ids other than `self` whose lease is still valid. */
export async function liveRuns(docker: Docker, self: string): Promise<string[]> {
  const now = await engineNow(docker);
  return [...(await leases(docker))].filter(([run, exp]) => run !== self && exp > now).map(([run]) => run);
}

export class RunLease {
  private timer: NodeJS.Timeout | undefined;
  private id = '';

  constructor(
    private readonly docker: Docker,
    readonly run: string,
  ) {}

  /** Creates the lease (or adopts the one `test-engine.sh up` made for this run) and keeps renewing it until `release`. */
  async acquire(): Promise<void> {
    const made = await this.docker.listContainers({ all: true, filters: { label: [`${LEASE_LABEL}=${this.run}`] } });
    if (made[0]) {
      this.id = made[0].Id;
      await this.renew();
    } else {
      const c = await this.docker.createContainer({
        Image: LEASE_IMAGE,
        name: leaseName(this.run, (await engineNow(this.docker)) + TTL_S),
        Cmd: ['true'],
        Labels: { [LEASE_LABEL]: this.run },
      });
      this.id = c.id;
    }
    this.timer = setInterval(() => void this.renew().catch(() => {}), RENEW_MS);
    this.timer.unref();
  }

  async renew(): Promise<void> {
    const expires = (await engineNow(this.docker)) + TTL_S;
    await this.docker.getContainer(this.id).rename({ name: leaseName(this.run, expires) });
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    if (this.id)
      await this.docker
        .getContainer(this.id)
        .remove({ force: true })
        .catch(() => {});
  }
}

/** Removes the containers, networks and volumes of `run` (own = true), or of every run whose lease has expired. */
export async function removeRunObjects(docker: Docker, self: string, own: boolean): Promise<number> {
  // Objects first, leases second: a lease is always made before its run's objects, so an object seen
  // here has its lease in the listing below if its run is alive.
  const filters = { label: [TEST_LABEL] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }).then((v) => v.Volumes ?? []),
  ]);
  const alive = new Set(await liveRuns(docker, self));
  const doomed = (labels: Record<string, string> | undefined) => {
    const run = labels?.[RUN_LABEL];
    return own ? run === self : run !== self && !(run !== undefined && alive.has(run));
  };
  const jobs = [...containers.filter((c) => doomed(c.Labels)).map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }))];
  await Promise.all(jobs.map((j) => j.catch(() => {})));
  const later = [...networks.filter((n) => doomed(n.Labels)).map((n) => docker.getNetwork(n.Id).remove()), ...volumes.filter((v) => doomed(v.Labels)).map((v) => docker.getVolume(v.Name).remove())];
  await Promise.all(later.map((j) => j.catch(() => {})));
  if (!own) {
    const now = await engineNow(docker);
    const stale = await docker.listContainers({ all: true, filters: { label: [LEASE_LABEL] } });
    await Promise.all(
      stale
        .filter((c) => Number(/-(\d+)$/.exec(c.Names[0] ?? '')?.[1] ?? 0) <= now)
        .map((c) =>
          docker
            .getContainer(c.Id)
            .remove({ force: true })
            .catch(() => {}),
        ),
    );
  }
  return jobs.length + later.length;
}
