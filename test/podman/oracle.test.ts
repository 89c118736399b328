/**
 * The oracle harness (test/oracle/harness.ts) on Podman, with Podman's own CLI as the oracle: bursts of
 * containers (half `run --rm`), writers joining, restarts, rm -f, lines of random length (some > 16 KiB,
 * some not UTF-8) while `berth events`, `berth logs -f --project P` and `berth stats --project P` run
 * against Podman's socket. `podman events` follows beside berth's; afterwards `podman logs -t` of every
 * container still there. 0 missing, 0 repeated, 0 extra, the same checks as on docker.
 *
 * Podman's names are mapped to docker's as berth's records carry them (`died` -> `die`, `remove` ->
 * `destroy`); `podman logs -t` stamps to the second (`…T10:00:01Z`), as berth reads Podman's lines.
 * One fixed seed, briefly (the Podman suite must stay short); BERTH_PODMAN_ORACLE_SEEDS=a,b and
 * BERTH_ORACLE_SECONDS for more. The seed is printed on failure.
 */
import { describe, it } from 'vitest';
import Docker from 'dockerode';
import { checkSeed, cliLogs, type OracleEngine } from '../oracle/harness.js';
import { nanosToRfc3339, parseRfc3339Nanos } from '../../src/core/parse.js';
import { podmanHost } from '../helpers/podman.js';

const seeds = process.env.BERTH_PODMAN_ORACLE_SEEDS ? process.env.BERTH_PODMAN_ORACLE_SEEDS.split(',').map(Number) : [3001];
const actionMs = Number(process.env.BERTH_ORACLE_SECONDS ?? '4') * 1000;
/**
 * `podman logs -t` prints a stamp again wherever conmon stored a piece of a line (it reads the container's
 * output 8 KiB at a time, so a long line is cut at places that depend on the reads, not the line): those are
 * taken out, so the line is what the container wrote. The generator's lines have no capitals, so no T or Z.
 */
const INNER_STAMP = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z /g;
const DOCKER_NAME: Record<string, string> = { died: 'die', remove: 'destroy' };

function podmanEngine(): OracleEngine {
  const url = podmanHost();
  const client = new Docker({ socketPath: url.replace(/^unix:\/\//, '') });
  const nanos = (ts: string) => {
    const ns = parseRfc3339Nanos(ts);
    if (ns === undefined) throw new Error(`not a time from Podman: ${ts}`);
    return ns;
  };
  return {
    name: 'podman',
    client,
    image: 'localhost/berth-test/busybox',
    burst: 10,
    berthArgs: ['--host', url],
    berthEnv: { DOCKER_HOST: '', CONTAINER_HOST: '' },
    eventsCommand: (label) => ['podman', ['--url', url, 'events', '--format', 'json', '--filter', `label=${label}`]],
    parseEvent: (line) => {
      const e = JSON.parse(line) as { ID: string; Status: string; Time: string };
      return { id: e.ID, action: DOCKER_NAME[e.Status] ?? e.Status, ns: nanos(e.Time) };
    },
    logs: (id) =>
      cliLogs('podman', ['--url', url, 'logs', '-t', id], (buf, start, nl) => {
        const sp = buf.indexOf(32, start);
        const msg = Buffer.from(buf.toString('latin1', sp + 1, nl).replace(INNER_STAMP, ''), 'latin1').toString('utf8');
        return `${nanosToRfc3339(nanos(buf.toString('latin1', start, sp)))} ${msg}`;
      }),
    remove: async (id) => {
      await client
        .getContainer(id)
        .remove({ force: true })
        .catch(() => {});
    },
    rerun: (seed) => `BERTH_PODMAN_ORACLE_SEEDS=${seed} flock /run/lock/berth-test-podman.lock npx vitest run --config vitest.podman.config.ts test/podman/oracle.test.ts`,
  };
}

describe('oracle: berth against Podman under random load', () => {
  for (const seed of seeds) {
    it(`seed ${seed}: events and logs -f equal podman events and podman logs, none missing or repeated`, { timeout: actionMs + 180_000 }, async () => {
      await checkSeed(seed, podmanEngine(), actionMs);
    });
  }
});
