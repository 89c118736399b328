/**
 * The lifecycle of a managed container, as a pure transition function:
 *
 *   napping --wake--> starting --ready--> ready --sleep--> napping
 *   any --fail--> error;  error --wake--> starting
 *
 * `observe` feeds what the engine says (events, inspections), so a container
 * started or stopped by someone else is tracked too. `undefined` means "no
 * transition" (the input does not change the state).
 */
import type { IdleRecord, IdleState } from './types.js';

export type IdleInput =
  | { kind: 'wake' }
  | { kind: 'ready' }
  | { kind: 'fail' }
  | { kind: 'sleep' }
  /** The engine's view: awake = running and not paused. */
  | { kind: 'observe'; awake: boolean };

export type From = IdleState | 'unknown';

export function nextState(from: From, input: IdleInput): IdleState | undefined {
  const to = target(from, input);
  return to === from ? undefined : to;
}

function target(from: From, input: IdleInput): IdleState | undefined {
  switch (input.kind) {
    case 'wake':
      return from === 'ready' || from === 'starting' ? undefined : 'starting';
    case 'ready':
      return from === 'starting' || from === 'unknown' || from === 'napping' || from === 'error' ? 'ready' : undefined;
    case 'fail':
      return 'error';
    case 'sleep':
      return 'napping';
    case 'observe':
      return observed(from, input.awake);
  }
}

function observed(from: From, awake: boolean): IdleState | undefined {
  if (awake) return from === 'starting' ? undefined : 'ready';
  // Asleep: a start that ends with the container down is a failure; otherwise it naps.
  if (from === 'starting') return 'error';
  if (from === 'error') return undefined;
  return 'napping';
}

/** Tracks the state of many containers and turns inputs into `idle` records. */
export class StateTable {
  private readonly states = new Map<string, From>();

  constructor(private readonly now: () => string = () => new Date().toISOString()) {}

  get(name: string): From {
    return this.states.get(name) ?? 'unknown';
  }

  /** Applies an input; returns the record of the transition, or undefined when nothing changed. */
  apply(name: string, input: IdleInput, reason: string, extra: Partial<IdleRecord> = {}): IdleRecord | undefined {
    const from = this.get(name);
    const to = nextState(from, input);
    if (to === undefined) return undefined;
    this.states.set(name, to);
    return { type: 'idle', ts: this.now(), container: name, ...extra, from, to, reason };
  }

  forget(name: string): void {
    this.states.delete(name);
  }

  names(): string[] {
    return [...this.states.keys()];
  }
}
