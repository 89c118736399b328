import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { LineRenderer, summaryTables } from '../../src/core/logs/render.js';
import { BatchSink, jsonFormatter, rawFormatter, tableFormatter } from '../../src/core/logs/sink.js';
import { LogAnalytics } from '../../src/core/logs/analytics.js';
import { LineWriter } from '../../src/core/output/ndjson.js';
import { PassThrough } from 'node:stream';
import type { LogLine } from '../../src/core/logs/line.js';
import type { Target } from '../../src/core/engine/select.js';

const plain = new Chalk({ level: 0 });
const web = { id: 'a'.repeat(64), name: 'web' } as unknown as Target;
const database = { id: 'b'.repeat(64), name: 'database' } as unknown as Target;
const L = (target: Target, msg: string, stream: 'stdout' | 'stderr' = 'stdout', truncated = false): LogLine => ({
  ts: '2026-11-22T10:51:02.123456789Z',
  stream,
  msg,
  truncated,
  target,
});

describe('LineRenderer', () => {
  it('aligns the container prefix and shows time and level', () => {
    const r = new LineRenderer(plain, { prefix: true, timestamps: false });
    r.reserve([web, database]);
    expect(r.line(L(web, 'ERROR boom'), 'ERROR')).toBe('web      | 10:51:02.123 ERROR ERROR boom\n');
    expect(r.line(L(database, 'ready'), 'OTHER')).toBe('database | 10:51:02.123       ready\n');
    expect(r.line(L(web, 'x'), 'WARN')).toBe('web      | 10:51:02.123 WARN  x\n');
  });

  it('drops the prefix with --no-prefix, shows full times with --timestamps, and marks cut lines', () => {
    const r = new LineRenderer(plain, { prefix: false, timestamps: true });
    expect(r.line(L(web, 'aaa', 'stdout', true), 'INFO')).toBe('2026-11-22T10:51:02.123456789Z INFO  aaa [line cut: longer than the line bound]\n');
  });

  it('colours when asked to', () => {
    const r = new LineRenderer(new Chalk({ level: 1 }), { prefix: true, timestamps: false });
    expect(r.line(L(web, 'boom'), 'ERROR')).toContain('\u001b[31m');
  });
});

async function sinkOutput(format: 'json' | 'table' | 'raw', lines: LogLine[], levelFilter?: 'WARN') {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d) => (o += d));
  err.on('data', (d) => (e += d));
  const a = new LogAnalytics();
  const fmt = format === 'json' ? jsonFormatter() : format === 'table' ? tableFormatter(new LineRenderer(plain, { prefix: true, timestamps: false })) : rawFormatter(false);
  const sink = new BatchSink(new LineWriter(out), fmt, { analytics: a, filter: levelFilter ? { minLevel: levelFilter } : undefined }, format === 'raw' ? new LineWriter(err) : undefined);
  await sink.write(lines);
  await sink.end();
  return { o, e, a };
}

describe('BatchSink', () => {
  const batch = [L(web, 'INFO up'), L(web, 'ERROR down', 'stderr'), L(database, 'plain')];

  it('writes records with detected levels, and counts them', async () => {
    const { o, a } = await sinkOutput('json', batch);
    expect(
      o
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).level),
    ).toEqual(['INFO', 'ERROR', 'OTHER']);
    expect(a.total).toEqual({ ERROR: 1, WARN: 0, INFO: 1, DEBUG: 0, OTHER: 1 });
  });

  it('raw: stdout lines to stdout, stderr lines to stderr', async () => {
    const { o, e } = await sinkOutput('raw', batch);
    expect(o).toBe('INFO up\nplain\n');
    expect(e).toBe('ERROR down\n');
  });

  it('applies the level filter before counting', async () => {
    const { o, a } = await sinkOutput('table', batch, 'WARN');
    expect(o).toBe('web | 10:51:02.123 ERROR ERROR down\n');
    expect(a.lines).toBe(1);
  });
});

describe('summaryTables', () => {
  it('prints counts per container and the non-empty minutes', () => {
    const a = new LogAnalytics();
    a.add(web, '2026-11-22T10:51:02.000000000Z', 'ERROR');
    a.add(database, '2026-11-22T10:53:02.000000000Z', 'INFO');
    expect(summaryTables(a)).toBe(
      [
        'CONTAINER   ERROR   WARN   INFO   DEBUG   OTHER   LINES',
        'database        0      0      1       0       0       1',
        'web             1      0      0       0       0       1',
        '(all)           1      0      1       0       0       2',
        '',
        'MINUTE (UTC)       ERROR   WARN   INFO   DEBUG   OTHER',
        '2026-11-22 10:51       1      0      0       0       0',
        '2026-11-22 10:53       0      0      1       0       0',
        '',
      ].join('\n'),
    );
  });
});
