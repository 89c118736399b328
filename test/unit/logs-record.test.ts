import { describe, expect, it } from 'vitest';
import { logJson, toLogRecord } from '../../src/core/logs/record.js';
import type { LogLine } from '../../src/core/logs/line.js';
import type { Target } from '../../src/core/engine/select.js';

const plain = { id: 'a'.repeat(64), name: 'web' } as unknown as Target;
const compose = { id: 'b'.repeat(64), name: 'shop-db-1', project: 'shop', service: 'db' } as unknown as Target;
const line = (target: Target, msg: string, truncated = false): LogLine => ({ ts: '2026-11-22T10:00:00.123456789Z', stream: 'stderr', msg, truncated, target });

describe('log records', () => {
  it.each([
    ['plain', line(plain, 'hello')],
    ['compose', line(compose, 'quote " backslash \\ tab \t nul \u0000 é ✓')],
    ['truncated', line(plain, 'cut', true)],
  ])('logJson equals JSON.stringify(toLogRecord) (%s)', (_n, l) => {
    expect(logJson(l, 'WARN')).toBe(JSON.stringify(toLogRecord(l, 'WARN')) + '\n');
    expect(logJson(l, 'WARN', 'ctx1')).toBe(JSON.stringify(toLogRecord(l, 'WARN', 'ctx1')) + '\n');
  });

  it('has the documented fields in order, project/service only for compose containers', () => {
    expect(Object.keys(toLogRecord(line(compose, 'x'), 'INFO'))).toEqual(['type', 'ts', 'id', 'name', 'project', 'service', 'stream', 'level', 'msg']);
    expect(Object.keys(toLogRecord(line(plain, 'x'), 'INFO'))).toEqual(['type', 'ts', 'id', 'name', 'stream', 'level', 'msg']);
  });
});
