import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { MINER_DEFAULTS, TemplateMiner } from '../../src/core/templates/miner.js';
import { toState } from '../../src/core/templates/state.js';
import { changedRecords } from '../../src/core/templates/summary.js';
import { levelMix, templatesTable } from '../../src/core/templates/render.js';

const TS = '2026-11-22T10:00:00.000000000Z';

describe('templates: summary records and table', () => {
  it('sorts by count, computes the share per group, marks new ones once', () => {
    const m = new TemplateMiner();
    const web = { key: 'web', id: 'abc', name: 'web' };
    m.observe('GET /a 200', web, undefined, 'INFO');
    m.observe('disk full', web, undefined, 'ERROR');
    m.observe('GET /b 200', web, undefined, 'INFO');
    m.observe('GET /c 500', web, undefined, 'WARN');
    const recs = changedRecords(m.store.values(), TS);
    expect(recs).toEqual([
      { type: 'template', ts: TS, id: 'abc', name: 'web', templateId: 1, template: 'GET <*> <*>', count: 3, share: 0.75, levels: { INFO: 2, WARN: 1 }, example: 'GET /a 200', new: true },
      { type: 'template', ts: TS, id: 'abc', name: 'web', templateId: 2, template: 'disk full', count: 1, share: 0.25, levels: { ERROR: 1 }, example: 'disk full', new: true },
    ]);
    expect(changedRecords(m.store.values(), TS)).toEqual([]);
    m.observe('GET /d 200', web, undefined, 'INFO');
    expect(changedRecords(m.store.values(), TS).map((r) => [r.templateId, r.count, r.new])).toEqual([[1, 4, undefined]]);
  });

  it('a template object reused after an eviction reports and saves only its own levels', () => {
    const m = new TemplateMiner({ ...MINER_DEFAULTS, maxTemplates: 1 });
    const a = m.observe('alpha starts now', { key: '' }, undefined, 'ERROR')!;
    m.observe('beta comes next', { key: '' }, undefined, 'INFO'); // evicts `a`
    const c = m.observe('gamma comes last', { key: '' }, undefined, 'WARN')!; // same token count: may reuse `a`'s object
    expect(a).toBe(c); // the case this test is for: the object was reused
    expect(changedRecords(m.store.values(), TS).map((r) => [r.templateId, r.levels])).toEqual([[3, { WARN: 1 }]]);
    expect(toState(m.store.values(), m.nextId, MINER_DEFAULTS).templates.map((t) => [t.id, t.levels])).toEqual([[3, { WARN: 1 }]]);
  });

  it('renders a table: id (* = new), count, share, level mix, template', () => {
    const m = new TemplateMiner();
    m.observe('job 1 done', { key: '' }, undefined, 'INFO');
    m.observe('job 2 done', { key: '' }, undefined, 'ERROR');
    const out = templatesTable(changedRecords(m.store.values(), TS), new Chalk({ level: 0 }), 80);
    expect(out).toBe('ID   COUNT   SHARE   LEVELS   TEMPLATE\n1*       2    100%   E1 I1    job <*> done\n');
    expect(levelMix({ OTHER: 2, WARN: 1, ERROR: 3 })).toBe('E3 W1 O2');
  });
});
