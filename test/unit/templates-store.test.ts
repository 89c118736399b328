import { describe, expect, it } from 'vitest';
import { MINER_DEFAULTS, TemplateMiner } from '../../src/core/templates/miner.js';
import { TemplateStore } from '../../src/core/templates/store.js';
import { newTemplate, type Template } from '../../src/core/templates/template.js';
import { wordsOf } from '../../src/core/templates/drain.js';

const G = { key: '' };
const tpl = (id: number): Template => newTemplate(id, String(id), 1, G, '');

describe('templates: bounded store and miner', () => {
  it('evicts the least recently matched template beyond the bound', () => {
    const evicted: number[] = [];
    const s = new TemplateStore(2, (t) => evicted.push(t.id));
    const [a, b, c] = [tpl(1), tpl(2), tpl(3)];
    s.add(a);
    s.add(b);
    s.touch(a); // b is now the least recently matched
    s.add(c);
    expect(evicted).toEqual([2]);
    expect([...s.values()].map((t) => t.id)).toEqual([1, 3]);
    expect(s.evicted).toBe(1);
  });

  it('the miner counts lines, levels and times per template and never reuses ids after eviction', () => {
    const m = new TemplateMiner({ depth: 4, similarity: 0.7, maxChildren: 100, maxTemplates: 2 });
    const a = m.observe('2024-01-01 10:00:00 INFO user 1 logged in', G, '2024-01-01T10:00:00Z', 'INFO');
    m.observe('2024-01-01 10:00:01 INFO user 2 logged in', G, '2024-01-01T10:00:01Z', 'INFO');
    m.observe('2024-01-01 10:00:02 WARN user 3 logged in', G, '2024-01-01T09:59:00Z', 'WARN');
    expect(a).toMatchObject({ id: 1, text: 'user <*> logged in', size: 4, count: 3, levels: { INFO: 2, WARN: 1 } });
    expect([a.firstTs, a.lastTs]).toEqual(['2024-01-01T09:59:00Z', '2024-01-01T10:00:01Z']);
    expect(a.example).toBe('2024-01-01 10:00:00 INFO user 1 logged in');
    m.observe('disk full', G, undefined, 'ERROR'); // id 2
    m.observe('cache cleared', G, undefined, 'INFO'); // id 3 evicts id 1 (least recently matched)
    expect([...m.store.values()].map((t) => t.id)).toEqual([2, 3]);
    const back = m.observe('user 9 logged in', G, undefined, 'INFO');
    expect(back.id).toBe(4);
    expect(m.store.evicted).toBe(2);
    expect(m.lines).toBe(6);
  });

  it('a JSON log line is clustered on its msg/message field; its level is read as berth logs reads it', () => {
    const m = new TemplateMiner();
    const a = m.observe('{"level":30,"pid":7,"msg":"request 17 done in 12 ms"}', G);
    const b = m.observe('{"level":50,"pid":8,"msg":"request 18 done in 13 ms"}', G);
    const c = m.observe('{"severity":"warn","message":"cache 3 warmed"}', G);
    expect(b).toBe(a);
    expect(a).toMatchObject({ text: 'request <*> done in <*>', levels: { INFO: 1, ERROR: 1 } });
    expect(c).toMatchObject({ text: 'cache <*> warmed', levels: { WARN: 1 } });
    // No message field: the field names, so objects of one structure share a template and others do not
    expect(wordsOf(m.observe('{"no":"message field","at":1}', G)!)).toEqual(['{no', 'at}']);
    expect(wordsOf(m.observe('{"no":"other text","at":2}', G)!)).toEqual(['{no', 'at}']);
    expect(wordsOf(m.observe('{"other":"shape"}', G)!)).toEqual(['{other}']);
  });

  it('groups keep separate templates', () => {
    const m = new TemplateMiner();
    const x = m.observe('started worker 1', { key: 'a' }, undefined, 'INFO');
    const y = m.observe('started worker 2', { key: 'b' }, undefined, 'INFO');
    expect(x.id).not.toBe(y.id);
    expect(m.observe('started worker 3', { key: 'a' }, undefined, 'INFO').id).toBe(x.id);
  });

  it('an evicted template reused for a new one is not taken for the old one (continuation lines, the shape cache)', () => {
    const m = new TemplateMiner({ ...MINER_DEFAULTS, maxTemplates: 1 });
    const a = m.observe('alpha starts now', { key: 'a' }, undefined, 'INFO')!;
    m.observe('beta comes next', { key: 'b' }, undefined, 'INFO'); // evicts `a`
    const c = m.observe('gamma comes last', { key: 'b' }, undefined, 'INFO')!; // same token count: may reuse `a`'s object
    expect(c.id).toBe(3);
    // a stack frame continues group a's record, which is gone: a template of its own, not group b's
    const frame = m.observe('\tat Foo.bar(Foo.java:1)', { key: 'a' }, undefined, 'INFO')!;
    expect([frame.id, frame.group.key]).toEqual([4, 'a']);
    expect(a).toBe(c); // the case this test is for: the object was reused
  });
});
