import { describe, expect, it } from 'vitest';
import { formatServeLine } from '../../src/core/proxy/record-line.js';

describe('serve records as lines (--format table)', () => {
  it.each([
    [{ type: 'serve', ts: '2026-11-22T10:00:01.000Z', event: 'listening', listen: '127.0.0.1:8080' }, '10:00:01 listening on http://127.0.0.1:8080'],
    [
      { type: 'serve', ts: '2026-11-22T10:00:01.000Z', event: 'route', container: 'web', hosts: ['a.test'], port: 8080, tcp: [{ listen: 15432, upstream: 5432 }], state: 'napping' },
      '10:00:01 route web: http://a.test -> :8080, tcp :15432 -> :5432 (napping)',
    ],
    [{ type: 'wake', ts: '2026-11-22T10:00:02.000Z', event: 'ready', container: 'web', message: 'web is ready (running) after 0.5s' }, '10:00:02 web wake ready: web is ready (running) after 0.5s'],
    [{ type: 'idle', ts: '2026-11-22T10:00:03.000Z', container: 'web', from: 'ready', to: 'napping', reason: 'idle' }, '10:00:03 web ready -> napping (idle)'],
  ] as const)('%j', (rec, line) => {
    expect(formatServeLine(rec as Parameters<typeof formatServeLine>[0])).toBe(line);
  });
});
