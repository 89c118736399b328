/**
 * The swarm flags' checks (--service, --stack, --node; events' --swarm), apart from the scope they open
 * (scope.ts): a command that selects containers asks them and loads none of the swarm's code.
 */
import { usageError } from '../errors.js';

export interface SwarmFlags {
  service?: string[];
  stack?: string;
  node?: string[];
}

/** True when the flags ask for a swarm selection; `--node` alone is refused (it says how to reach nodes, not what to select). */
export function wantsSwarm(f: SwarmFlags, swarmFlag?: boolean): boolean {
  const on = !!f.service?.length || f.stack !== undefined || !!swarmFlag;
  if (!on && f.node?.length) throw usageError(`--node says how to reach a swarm node: it goes with --service or --stack${swarmFlag === undefined ? '' : ' (or --swarm)'}`);
  return on;
}

/** Container names and --project select containers of one engine; --service and --stack select tasks of a swarm. */
export function checkSwarmSelection(names: string[], project: string | undefined): void {
  if (names.length) throw usageError(`--service and --stack select a swarm's tasks: container names cannot be given with them (got: ${names.join(' ')})`);
  if (project !== undefined) throw usageError('--project selects a compose project: it cannot be given with --service or --stack');
}
