import { describe, expect, it } from 'vitest';
import { PassThrough, Writable } from 'node:stream';
import { colorLevel } from '../../src/core/output/colors.js';
import { pickFormat, terminalSize } from '../../src/core/output/format.js';
import { LineWriter, NdjsonSink } from '../../src/core/output/ndjson.js';
import { renderTable } from '../../src/core/output/table.js';
import { mergeByArrival } from '../../src/core/stream/merge.js';

describe('colorLevel', () => {
  it.each([
    [{}, true, 2],
    [{}, false, 0],
    [{ NO_COLOR: '1' }, true, 0],
    [{ NO_COLOR: '' }, true, 2],
    [{ FORCE_COLOR: '1' }, false, 1],
    [{ FORCE_COLOR: '3', NO_COLOR: '1' }, false, 3],
    [{ FORCE_COLOR: '0' }, true, 0],
    [{ TERM: 'dumb' }, true, 0],
    [{ COLORTERM: 'truecolor' }, true, 3],
  ])('%j on tty=%s -> %d', (env, tty, level) => expect(colorLevel(env as Record<string, string>, tty)).toBe(level));
});

describe('pickFormat', () => {
  it('defaults to table on a TTY and json elsewhere', () => {
    expect(pickFormat({}, true)).toBe('table');
    expect(pickFormat({}, false)).toBe('json');
    expect(pickFormat({ json: true }, true)).toBe('json');
    expect(pickFormat({ format: 'raw' }, true, ['json', 'raw'])).toBe('raw');
  });
  it('rejects unsupported and conflicting formats', () => {
    expect(() => pickFormat({ format: 'raw' }, true)).toThrow('--format: this command supports json, table (got: "raw")');
    expect(() => pickFormat({ format: 'yaml' }, true)).toThrow('--format: expected one of json, table, raw (got: "yaml")');
    expect(() => pickFormat({ json: true, format: 'table' }, true)).toThrow('--json conflicts with --format table');
  });
});

describe('NdjsonSink', () => {
  it('writes one JSON object per line', async () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (d) => chunks.push(String(d)));
    const sink = new NdjsonSink(out);
    sink.write({ type: 'a', n: 1 });
    sink.write({ type: 'b', s: 'x\ny' });
    await sink.end();
    expect(chunks.join('')).toBe('{"type":"a","n":1}\n{"type":"b","s":"x\\ny"}\n');
  });

  it('waits for drain when the reader is slow (backpressure)', async () => {
    let release!: () => void;
    const slow = new Writable({
      highWaterMark: 4,
      write(_c, _e, cb) {
        release = cb;
      },
    });
    const w = new LineWriter(slow, () => {}, 8);
    const p = w.writeLine('0123456789\n');
    expect(p).toBeInstanceOf(Promise);
    let done = false;
    void (p as Promise<void>).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    release();
    await p;
    expect(done).toBe(true);
  });

  it('treats EPIPE as a closed reader, not an error', async () => {
    let closed = 0;
    const out = new Writable({
      write(_c, _e, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const sink = new NdjsonSink(out, () => closed++);
    sink.write({ a: 1 });
    await sink.end().catch(() => {});
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(1);
    expect(sink.closed).toBe(true);
    expect(sink.write({ a: 2 })).toBeUndefined();
  });
});

describe('renderTable', () => {
  it('prints docker-style borderless columns', () => {
    expect(
      renderTable(
        ['NAME', 'CPU %'],
        [
          ['web', '1.50%'],
          ['database', '0.00%'],
        ],
      ),
    ).toBe('NAME       CPU %\nweb        1.50%\ndatabase   0.00%\n');
  });
});

describe('mergeByArrival', () => {
  it('yields from all sources and returns every source when the consumer stops', async () => {
    const finished: string[] = [];
    async function* src(name: string, n: number) {
      try {
        for (let i = 0; i < n; i++) {
          await new Promise((r) => setImmediate(r));
          yield `${name}${i}`;
        }
      } finally {
        finished.push(name);
      }
    }
    const got: string[] = [];
    for await (const v of mergeByArrival([src('a', 3), src('b', 100)])) {
      got.push(v);
      if (got.length === 5) break;
    }
    expect(got).toHaveLength(5);
    expect(got.filter((v) => v.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
    expect(finished.sort()).toEqual(['a', 'b']);
  });
});

describe('terminalSize', () => {
  it("takes what the terminal says, and 80x24 (or the caller's fallback) for 0 or nothing", () => {
    expect(terminalSize({ columns: 132, rows: 50 })).toEqual({ columns: 132, rows: 50 });
    expect(terminalSize({ columns: 0, rows: 0 })).toEqual({ columns: 80, rows: 24 });
    expect(terminalSize({})).toEqual({ columns: 80, rows: 24 });
    expect(terminalSize({ columns: 0, rows: 30 }, { columns: 120, rows: 40 })).toEqual({ columns: 120, rows: 30 });
  });
});
