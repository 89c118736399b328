/**
 * The busy veto, checked before a stop: `cpu>N%` (average CPU over the last
 * minute of readings above N) or `exec:CMD` (run in the container; exit 0 =
 * busy). A check that cannot decide (the command does not finish within
 * EXEC_TIMEOUT_MS or cannot be run; fewer than two CPU readings) counts as
 * busy: when in doubt, berth does not stop. The verdict always says why,
 * for the record.
 */
import type { BusySpec } from './config.js';
import type { ActivityClock } from './counters.js';
import type { Provider } from './types.js';
import { fmtMs } from '../parse.js';

export const CPU_WINDOW_MS = 60_000;
export const EXEC_TIMEOUT_MS = 10_000;

export interface BusyVerdict {
  busy: boolean;
  why: string;
}

export async function checkBusy(provider: Pick<Provider, 'exec'>, id: string, spec: BusySpec, clock: ActivityClock): Promise<BusyVerdict> {
  if (spec.kind === 'cpu') return cpuVerdict(spec.percent, clock.cpuOver(CPU_WINDOW_MS));
  return execVerdict(spec.cmd, await provider.exec(id, spec.cmd));
}

/** Pure: the verdict for a CPU reading against a threshold. */
export function cpuVerdict(threshold: number, cpu: { percent: number; spanMs: number } | undefined): BusyVerdict {
  if (!cpu) return { busy: true, why: `busy check cpu>${threshold}% could not decide (fewer than two readings); treated as busy` };
  const pct = `${cpu.percent.toFixed(1)}%`;
  const over = `over the last ${fmtMs(Math.round(cpu.spanMs / 1000) * 1000)}`;
  return cpu.percent > threshold ? { busy: true, why: `busy: cpu ${pct} > ${threshold}% ${over}` } : { busy: false, why: `cpu ${pct} <= ${threshold}% ${over}` };
}

/** Pure: the verdict for the check command's outcome (exit code, or an error text). */
export function execVerdict(cmd: string[], outcome: number | string): BusyVerdict {
  const c = cmd.join(' ');
  if (typeof outcome === 'string') return { busy: true, why: `busy check ${c} could not decide (${outcome}); treated as busy` };
  return outcome === 0 ? { busy: true, why: `busy: ${c} exited 0` } : { busy: false, why: `${c} exited ${outcome} (not busy)` };
}
