import { describe, expect, it } from 'vitest';
import { TextLines } from '../../src/core/templates/text-lines.js';
import { ShapeCache, shapeHash as shapeOf } from '../../src/core/templates/shape.js';

const shapeHash = (s: string) => {
  const h = shapeOf(s);
  return `${h.key}/${h.check}`;
};
const shape = (key: number) => ({ key, check: 0 });
import type { Template } from '../../src/core/templates/template.js';

function split(chunks: (string | Buffer)[], max = 100): [string, boolean][] {
  const out: [string, boolean][] = [];
  const t = new TextLines(max);
  const emit = (s: string, cut: boolean) => out.push([s, cut]);
  for (const c of chunks) t.push(typeof c === 'string' ? Buffer.from(c) : c, emit);
  t.end(emit);
  return out;
}

describe('templates: stdin lines', () => {
  it('splits on \\n across chunks, drops a CR before it, keeps a last line without newline', () => {
    expect(split(['a\r\nb', 'c\n', '\nd'])).toEqual([
      ['a', false],
      ['bc', false],
      ['', false],
      ['d', false],
    ]);
  });

  it('keeps a UTF-8 character split across chunks whole', () => {
    const euro = Buffer.from('€\n'); // e2 82 ac 0a
    expect(split([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)])).toEqual([['€', false]]);
  });

  it('cuts a line at the bound, marks it, and skips the rest of it up to the newline', () => {
    expect(split(['abcdefgh', 'ijkl\nnext\n'], 5)).toEqual([
      ['abcde', true],
      ['next', false],
    ]);
  });

  it('counts the bound in bytes of UTF-8, as logs --max-line-bytes does, and cuts on a whole character', () => {
    // "é" is 2 bytes, "€" 3: 5 characters, 9 bytes
    expect(split(['aé€€\n'], 9)).toEqual([['aé€€', false]]);
    expect(split(['aé€€\n'], 8)).toEqual([['aé€', true]]);
    expect(split(['aé€€\n'], 6)).toEqual([['aé€', true]]);
    expect(split(['aé€€\n'], 5)).toEqual([['aé', true]]);
    expect(split(['aé€€\n'], 2)).toEqual([['a', true]]);
    expect(split(['😀x\n'], 4)).toEqual([['😀', true]]); // a surrogate pair: 4 bytes, never split
  });
});

describe('templates: shape cache', () => {
  it('lines that differ only in digits have one shape; a digit after an upper-case letter counts as itself', () => {
    expect(shapeHash('took 12 ms at 10.0.0.1')).toBe(shapeHash('took 99 ms at 10.2.3.4'));
    expect(shapeHash('took 12 ms')).not.toBe(shapeHash('took 123 ms'));
    expect(shapeHash('via HTTP2')).not.toBe(shapeHash('via HTTP3'));
    expect(shapeHash('user ab')).not.toBe(shapeHash('user ac'));
  });

  it('a lower-case hex run with a digit and a letter folds whole (ids, UUID parts); words do not', () => {
    expect(shapeHash('container 3f2a9c01bd7e started')).toBe(shapeHash('container a81c0f00 started'));
    expect(shapeHash('req 123e4567-e89b-12d3-a456-4266141740ab ok')).toBe(shapeHash('req 9fe1b2c3-0a1b-4c5d-8e9f-a0b1c2d3e4f5 ok'));
    expect(shapeHash('node dn228 up')).not.toBe(shapeHash('node cf228 up'));
    expect(shapeHash('bad 1e')).not.toBe(shapeHash('bed 1e'));
  });

  it('drops an entry whose template was evicted (unlinked from its tree)', () => {
    const c = new ShapeCache(10);
    const t = { id: 1, text: '', size: 0, leaf: [] } as unknown as Template;
    c.set(shape(7), t, 'INFO');
    expect(c.get(shape(7))).toEqual({ check: 0, template: t, id: 1, level: 'INFO' });
    expect(c.get({ key: 7, check: 1 })).toBeUndefined();
    t.leaf = undefined;
    expect(c.get(shape(7))).toBeUndefined();
  });

  it('drops an entry whose template object now holds another template (reused after eviction)', () => {
    const c = new ShapeCache(10);
    const t = { id: 1, text: '', size: 0, leaf: true } as unknown as Template;
    c.set(shape(7), t, 'INFO');
    t.id = 2;
    expect(c.get(shape(7))).toBeUndefined();
  });

  it('is cleared when full, and stands aside when lines hardly repeat', () => {
    const c = new ShapeCache(2);
    const t = { id: 1, text: '', size: 0, leaf: [] } as unknown as Template;
    c.set(shape(1), t, undefined);
    c.set(shape(2), t, undefined);
    c.set(shape(3), t, undefined); // full: cleared, then 3
    expect([c.get(shape(1)), c.get(shape(3))?.template]).toEqual([undefined, t]);
    for (let i = 0; i < 4096; i++) c.get(shape(1000 + i)); // 4096 lookups, 1 hit
    expect(c.active()).toBe(false);
  });
});
