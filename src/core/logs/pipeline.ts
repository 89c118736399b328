/**
 * The source side of `berth logs`: the selected containers' lines as batches,
 * merged in timestamp order (mergeByTime), or followed through restarts and
 * joins with a reorder window (followLogs).
 */
import { setMaxListeners } from 'node:events';
import type { Engine } from '../engine/engine.js';
import { BerthError } from '../errors.js';
import { emptySelection, listTargets, type Selection, type Target } from '../engine/select.js';
import { linkedController } from '../stream/abort.js';
import { followLogs } from './follow.js';
import type { LogLine } from './line.js';
import { mergeByTime } from './merge.js';
import { containerLogBatches, type LogQuery } from './source.js';
import { sortedLines, type UnorderedSource } from './unordered.js';

export interface LogsPlan {
  engines: Engine[];
  selection: Selection;
  query: LogQuery;
  follow: boolean;
  windowMs: number;
  onStatus: (message: string) => void;
  onTarget?: (t: Target) => void;
  /** A container's logs could not be read (reported through onStatus; the others go on): the command ends with exit 1. */
  onFailed?: () => void;
  /** Lines from outside the selected containers, not in time order (the swarm manager's logs of tasks on nodes berth cannot reach). */
  unordered?: UnorderedSource;
  /** The engines are a swarm's nodes (--service, --stack): records say `node`, not `engine`. */
  swarm?: boolean;
  /** Lines kept from containers that are gone (logs --archive), in time order: merged before and beside the live ones. */
  archived?: () => AsyncGenerator<LogLine[]>;
}

export async function* logBatches(plan: LogsPlan, parent: AbortSignal): AsyncGenerator<LogLine[]> {
  // One request (and abort listener) per container: many containers are expected, not a leak.
  const { controller, dispose } = linkedController(parent);
  const signal = controller.signal;
  setMaxListeners(0, signal);
  try {
    if (plan.follow) {
      const { query, windowMs, onStatus, onTarget, onFailed, unordered } = plan;
      return yield* followLogs(
        plan.engines,
        plan.selection,
        { query, windowMs, onStatus, ...(onTarget ? { onTarget } : {}), ...(onFailed ? { onFailed } : {}), ...(unordered ? { unordered } : {}) },
        signal,
      );
    }
    const targets = await listTargets(plan.engines, plan.selection, signal);
    if (targets.length === 0 && !plan.unordered && !plan.archived) plan.onStatus(await emptySelection(plan.engines, plan.selection, signal));
    for (const t of targets) plan.onTarget?.(t);
    const sources = targets.map((t) => tolerant(t, containerLogBatches(t, plan.query, signal), plan));
    if (plan.unordered) sources.push(sortedLines(plan.unordered(plan.query, false, signal)));
    if (plan.archived) sources.push(plan.archived());
    yield* mergeByTime(sources);
  } finally {
    dispose();
  }
}

/**
 * One container's failure (removed meanwhile, a logging driver that cannot be
 * read) is reported on stderr and ends only that container's part; the
 * command's exit code says it at the end.
 */
async function* tolerant(t: Target, src: AsyncIterable<LogLine[]>, plan: LogsPlan): AsyncGenerator<LogLine[]> {
  try {
    yield* src;
  } catch (err) {
    if (!(err instanceof BerthError) || (err.code !== 'NOT_FOUND' && err.code !== 'ENGINE_ERROR')) throw err;
    plan.onStatus(`logs of ${t.name}: ${err.message}`);
    plan.onFailed?.();
  }
}
