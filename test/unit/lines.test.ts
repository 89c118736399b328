import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines, utf8Boundary, type Line } from '../../src/core/stream/lines.js';
import { classifyLine, readInputLines } from '../../src/core/stream/input.js';

function feed(chunks: (string | Buffer)[], max?: number): Line[] {
  const s = new LineSplitter(max);
  const out: Line[] = [];
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c, (l) => out.push(l));
  s.end((l) => out.push(l));
  return out;
}

describe('LineSplitter', () => {
  it('splits on \\n, drops the \\r of CRLF, keeps a final line without newline', () => {
    expect(feed(['a\r\nb\n', 'c']).map((l) => l.text)).toEqual(['a', 'b', 'c']);
  });
  it('joins lines split across chunks', () => {
    expect(feed(['hel', 'lo wo', 'rld\nx\n']).map((l) => l.text)).toEqual(['hello world', 'x']);
  });
  it('decodes a UTF-8 character split across chunks', () => {
    const b = Buffer.from('é€😀\n');
    expect(feed([b.subarray(0, 1), b.subarray(1, 4), b.subarray(4, 7), b.subarray(7)]).map((l) => l.text)).toEqual(['é€😀']);
  });
  it('reads ranges of a reused buffer: what lies past a range is not read, and a line split across ranges is kept whole', () => {
    const s = new LineSplitter(1024);
    const out: string[] = [];
    const buf = Buffer.from('xx{"a":1}\n{"b"\nSTALE\n');
    s.push(buf, (l) => out.push(l.text), 2, 14); // '{"a":1}\n{"b"' and nothing after
    expect(out).toEqual(['{"a":1}']);
    buf.write(':2}\r\nzz\n', 0); // the buffer is reused for the next read
    s.push(buf, (l) => out.push(l.text), 0, 5);
    expect(out).toEqual(['{"a":1}', '{"b":2}']);
  });
  it('keeps empty lines', () => {
    expect(feed(['\n\nx\n']).map((l) => l.text)).toEqual(['', '', 'x']);
  });
  it('cuts a line longer than the bound and skips the rest of it', () => {
    const out = feed(['abcdefgh', 'ijkl\nok\n'], 5);
    expect(out).toEqual([
      { text: 'abcde', truncated: true },
      { text: 'ok', truncated: false },
    ]);
  });
  it('cuts a long line at a character boundary, never inside a UTF-8 character', () => {
    // 'é' is 2 bytes, '€' 3, '😀' 4: every bound that falls inside one moves back before it
    for (let bound = 1; bound <= 12; bound++) {
      const [cut] = feed(['aé€😀bcdefghijk\n'], bound);
      expect(cut!.truncated).toBe(true);
      expect(cut!.text).not.toContain('\ufffd');
      expect(Buffer.byteLength(cut!.text)).toBeLessThanOrEqual(bound);
      expect(Buffer.byteLength(cut!.text)).toBeGreaterThan(bound - 4);
    }
    expect(feed(['aé€😀bcdefghijk\n'], 5)[0]!.text).toBe('aé');
    expect(feed(['aé€😀bcdefghijk\n'], 6)[0]!.text).toBe('aé€');
  });
  it('cuts invalid bytes as they come: no character to keep whole', () => {
    expect(utf8Boundary(Buffer.from([0x61, 0x80, 0x80, 0x80, 0x80]), 5)).toBe(5);
    expect(utf8Boundary(Buffer.from([0x61, 0xe2, 0x82]), 3)).toBe(1);
  });
  it('does not keep references to a reused chunk buffer', () => {
    const s = new LineSplitter();
    const buf = Buffer.from('abc');
    const out: string[] = [];
    s.push(buf, (l) => out.push(l.text));
    buf.write('XYZ');
    s.push(Buffer.from('\n'), (l) => out.push(l.text));
    expect(out).toEqual(['abc']);
  });
  it('works as an async generator', async () => {
    async function* src() {
      yield Buffer.from('1\n2');
      yield '\n3';
    }
    const got: string[] = [];
    for await (const l of splitLines(src())) got.push(l.text);
    expect(got).toEqual(['1', '2', '3']);
  });
});

describe('input classification', () => {
  it('JSON objects are records, everything else is text', () => {
    expect(classifyLine('{"type":"log","msg":"x"}', 1)).toMatchObject({ kind: 'record', record: { type: 'log', msg: 'x' } });
    expect(classifyLine('plain text', 2)).toEqual({ kind: 'text', lineNo: 2, text: 'plain text', truncated: false });
    expect(classifyLine('[1,2]', 3).kind).toBe('text');
    expect(classifyLine('42', 4).kind).toBe('text');
  });
  it('keeps a malformed JSON line as text, with the parse error', () => {
    const l = classifyLine('{"type":"log",', 7);
    expect(l).toMatchObject({ kind: 'text', lineNo: 7, text: '{"type":"log",' });
    expect(l.kind === 'text' && l.jsonError).toBeTruthy();
  });
  it('numbers lines from 1 and loses none around a bad one', async () => {
    async function* src() {
      yield '{"a":1}\n{bad\n';
      yield 'text\n';
    }
    const got = [];
    for await (const l of readInputLines(src())) got.push([l.lineNo, l.kind]);
    expect(got).toEqual([
      [1, 'record'],
      [2, 'text'],
      [3, 'text'],
    ]);
  });
});
