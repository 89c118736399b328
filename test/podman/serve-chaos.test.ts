/**
 * The chaos harness for serve and watch-idle (test/chaos/harness.ts) on Podman: the same project (a db
 * with a slow healthcheck, which berth runs through libpod's API since nothing else runs it here; an app
 * depending on it; a TCP echo; a WebSocket relay on Podman's bridge; a container that crashes), the same
 * random clients and invariants, with serve and watch-idle pointed at Podman's socket. One fixed seed,
 * 25 s of traffic (the Podman suite must stay short); BERTH_PODMAN_CHAOS_SEEDS=a,b and
 * BERTH_PODMAN_CHAOS_SECONDS for more. The seed is printed on failure.
 */
import { describe, it } from 'vitest';
import Docker from 'dockerode';
import { runChaosSeed, type ChaosEngine } from '../chaos/harness.js';
import { podmanHost } from '../helpers/podman.js';

const seeds = process.env.BERTH_PODMAN_CHAOS_SEEDS ? process.env.BERTH_PODMAN_CHAOS_SEEDS.split(',').map(Number) : [1501];
const trafficMs = Number(process.env.BERTH_PODMAN_CHAOS_SECONDS ?? '25') * 1000;

function podmanChaosEngine(): ChaosEngine {
  const url = podmanHost();
  return {
    name: 'podman',
    client: new Docker({ socketPath: url.replace(/^unix:\/\//, '') }),
    image: 'localhost/berth-test/busybox',
    network: 'podman',
    env: { DOCKER_HOST: url, CONTAINER_HOST: '' },
    // Podman's event filter takes its own names: `died`, not `die` (the events it sends say `die`).
    eventFilter: ['start', 'died', 'kill', 'stop'],
    // A stop through Podman's API sends no `stop` or `kill` event, only the `die`.
    stopEvents: false,
    rerun: (seed) => `BERTH_PODMAN_CHAOS_SEEDS=${seed} flock /run/lock/berth-test-podman.lock npx vitest run --config vitest.podman.config.ts test/podman/serve-chaos.test.ts`,
  };
}

describe('chaos on Podman: serve and watch-idle under random clients and containers', () => {
  it.each(seeds)('seed %i: no invariant broken', (seed) => runChaosSeed(seed, podmanChaosEngine(), trafficMs), trafficMs + 240_000);
});
