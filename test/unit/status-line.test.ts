import { describe, expect, it } from 'vitest';
import { statusLine } from '../../src/core/events/watcher.js';

describe('statusLine: the one wording of a stream lost, retried and back', () => {
  it('says what was lost, where, what goes on meanwhile and after', () => {
    expect(statusLine({ kind: 'disconnected', error: 'socket hang up' })).toBe("lost the engine's event stream: socket hang up; reconnecting");
    expect(statusLine({ kind: 'disconnected', error: 'EOF' }, { what: 'the engine', engine: 'b', whileDown: 'snapshots go on' })).toBe('lost the engine (b): EOF; snapshots go on');
    expect(statusLine({ kind: 'retrying', attempt: 3, delayMs: 1000 }, { engine: 'a' })).toBe('reconnecting to the engine (a) (attempt 3, waited 1000 ms)');
    expect(statusLine({ kind: 'reconnected', attempt: 3 })).toBe('reconnected to the engine');
    expect(statusLine({ kind: 'reconnected', attempt: 1 }, { onBack: 'resuming from the last event printed' })).toBe('reconnected to the engine; resuming from the last event printed');
  });
});
