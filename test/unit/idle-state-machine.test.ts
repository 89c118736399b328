import { describe, expect, it } from 'vitest';
import { nextState, StateTable, type From, type IdleInput } from '../../src/core/idle/state-machine.js';

const up: IdleInput = { kind: 'observe', awake: true };
const down: IdleInput = { kind: 'observe', awake: false };

describe('idle state machine', () => {
  it.each<[From, IdleInput, string | undefined]>([
    ['napping', { kind: 'wake' }, 'starting'],
    ['error', { kind: 'wake' }, 'starting'],
    ['unknown', { kind: 'wake' }, 'starting'],
    ['starting', { kind: 'wake' }, undefined],
    ['ready', { kind: 'wake' }, undefined],
    ['starting', { kind: 'ready' }, 'ready'],
    ['ready', { kind: 'ready' }, undefined],
    ['ready', { kind: 'sleep' }, 'napping'],
    ['napping', { kind: 'sleep' }, undefined],
    ['starting', { kind: 'fail' }, 'error'],
    ['error', { kind: 'fail' }, undefined],
    // engine observations: someone else started or stopped it
    ['napping', up, 'ready'],
    ['unknown', up, 'ready'],
    ['error', up, 'ready'],
    ['starting', up, undefined],
    ['ready', up, undefined],
    ['ready', down, 'napping'],
    ['unknown', down, 'napping'],
    ['starting', down, 'error'],
    ['error', down, undefined],
    ['napping', down, undefined],
  ])('%s + %j -> %s', (from, input, to) => {
    expect(nextState(from, input)).toBe(to);
  });

  it('records transitions with from, to and reason, and nothing for no-ops', () => {
    const t = new StateTable(() => 'T');
    expect(t.apply('web', up, 'running')).toEqual({ type: 'idle', ts: 'T', container: 'web', from: 'unknown', to: 'ready', reason: 'running' });
    expect(t.apply('web', up, 'again')).toBeUndefined();
    expect(t.apply('web', { kind: 'sleep' }, 'idle 3s', { id: 'abc' })).toEqual({ type: 'idle', ts: 'T', container: 'web', id: 'abc', from: 'ready', to: 'napping', reason: 'idle 3s' });
    expect(t.get('web')).toBe('napping');
    expect(t.get('other')).toBe('unknown');
  });
});
