/**
 * Proof that a running `berth events --swarm` reads every node's stream: a volume made on each node is
 * printed with that node. A volume made before the subscription opened is never printed, so each node
 * gets a new one every second until one is (bounded); the volumes are removed after.
 */
import { dockerOn, hostname, NODES, serviceName, waitUntil, type NodeNo } from '../helpers/swarm.js';

type Rec = Record<string, unknown>;

export async function eventsLiveOnEveryNode(records: Rec[], timeoutMs = 30_000): Promise<void> {
  const made: Array<[NodeNo, string]> = [];
  const printed = (n: NodeNo) => records.some((r) => r.scope === 'volume' && r.action === 'create' && r.node === hostname(n) && made.some(([m, v]) => m === n && v === r.id));
  try {
    await waitUntil(
      'berth events --swarm to print a volume made on each node',
      async () => {
        const missing = NODES.filter((n) => !printed(n));
        if (!missing.length) return true;
        for (const n of missing) {
          const name = serviceName('live');
          made.push([n, name]);
          await dockerOn(n, ['volume', 'create', name]);
        }
        const end = Date.now() + 1000;
        while (Date.now() < end && !missing.every(printed)) await new Promise((r) => setTimeout(r, 50));
        return missing.every(printed);
      },
      timeoutMs,
    );
  } finally {
    for (const [n, v] of made) await dockerOn(n, ['volume', 'rm', v], { reject: false });
  }
}
