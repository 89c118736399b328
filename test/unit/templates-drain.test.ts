import { describe, expect, it } from 'vitest';
import { clusterText, Drain, generalise, isKeyword, similarity, thresholdFor, treeKey, wordKey, wordsOf, type Cluster } from '../../src/core/templates/drain.js';

const tok = (s: string) => s.split(' ');
function miner(opts = { depth: 4, similarity: 0.7, maxChildren: 100 }) {
  const d = new Drain(opts);
  let id = 0;
  const add = (line: string) => d.add(tok(line), (tokens): Cluster => ({ id: ++id, ...clusterText(tokens) }));
  return { d, add };
}

describe('templates: the clustering tree', () => {
  it('a line joins the template it matches and the template generalises', () => {
    const { add } = miner();
    const a = add('login of user alice from <*>');
    expect(a).toMatchObject({ created: true, changed: true });
    const b = add('login of user bob from <*>');
    expect(b.cluster.id).toBe(a.cluster.id);
    expect(b).toMatchObject({ created: false, changed: true });
    expect(b.cluster.text).toBe('login of user <*> from <*>');
    const c = add('login of user carol from <*>');
    expect(c).toMatchObject({ created: false, changed: false });
  });

  it('lines of different token counts never share a template', () => {
    const { add } = miner();
    expect(add('disk full on <*>').cluster.id).not.toBe(add('disk full on <*> now').cluster.id);
  });

  it('below the similarity threshold a new template starts', () => {
    const { add } = miner();
    const a = add('connection opened to db on port <*>');
    const b = add('connection closed by peer after <*> retries');
    expect(b.created).toBe(true);
    expect(b.cluster.id).not.toBe(a.cluster.id);
  });

  it('different upper-case keywords at one position are different events', () => {
    const { add } = miner();
    const a = add('<*> open through proxy <*> HTTPS');
    const b = add('<*> open through proxy <*> SOCKS5');
    expect(b.cluster.id).not.toBe(a.cluster.id);
  });

  it('routes on the first depth-2 tokens: a different first word is another branch', () => {
    const { add } = miner({ depth: 3, similarity: 0.1, maxChildren: 100 });
    expect(add('alpha x y').cluster.id).not.toBe(add('beta x y').cluster.id);
  });

  it('tokens with digits share the <*> branch; a full node sends new words there', () => {
    expect(treeKey('abc')).toBe('abc');
    expect(treeKey('a1')).toBe('<*>');
    expect(treeKey('<*>')).toBe('<*>');
    const { add } = miner({ depth: 3, similarity: 0.5, maxChildren: 2 });
    const first = add('alpha x y');
    const second = add('beta x y'); // node full: beta goes to <*>
    const third = add('gamma x y'); // also <*>, and similar enough to join
    expect(second.cluster.id).not.toBe(first.cluster.id);
    expect(third.cluster.id).toBe(second.cluster.id);
    expect(wordsOf(third.cluster)).toEqual(['<*>', 'x', 'y']);
  });

  it('a template that generalises at a routing word moves to the <*> branch and takes new words there', () => {
    const { add } = miner({ depth: 3, similarity: 0.5, maxChildren: 2 });
    const first = add('alpha x y z');
    const joined = add('beta x y z'); // full node: beta routes to <*>, joins nothing there, new template
    expect(joined.created).toBe(true);
    const third = add('gamma x y z'); // <*> branch: joins and generalises
    expect(third.cluster.id).toBe(joined.cluster.id);
    expect(add('alpha x y z').cluster.id).toBe(first.cluster.id); // exact branch first
  });

  it('a template of variables only does not take a line of words', () => {
    const { add } = miner();
    const v = add('<*>');
    expect(add('sendSyncFailedBroadcast').cluster.id).not.toBe(v.cluster.id);
    expect(add('<*>').cluster.id).toBe(v.cluster.id);
  });

  it('removing a cluster unlinks it from its leaf', () => {
    const { d, add } = miner();
    const a = add('job <*> finished');
    d.remove(a.cluster);
    expect(d.match(tok('job <*> finished'))).toBeUndefined();
    expect(add('job <*> finished').created).toBe(true);
  });

  it.each([
    [
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'x'],
      [0.75, 0],
    ],
    [
      ['a', '<*>', 'c', 'd'],
      ['a', 'z', 'c', 'd'],
      [1, 1],
    ],
    [
      ['a', 'GET', 'c'],
      ['a', 'POST', 'c'],
      [-1, 0],
    ],
    [[], [], [1, 0]],
  ])('similarity(%j, %j) = %j', (t, l, want) => {
    expect(similarity(t, l)).toEqual(want);
  });

  it('one differing word is always allowed from four tokens on', () => {
    expect(thresholdFor(3, 0.9)).toBe(0.9);
    expect(thresholdFor(4, 0.9)).toBe(0.75);
    expect(thresholdFor(10, 0.7)).toBe(0.7);
  });

  it('generalise turns differing positions into <*> and says whether it changed', () => {
    const t = ['a', 'b', '<*>'];
    expect(generalise(t, ['a', 'x', 'y'])).toBe(true);
    expect(t).toEqual(['a', '<*>', '<*>']);
    expect(generalise(t, ['a', 'q', 'r'])).toBe(false);
  });

  it('keywords are upper-case words of two letters or more', () => {
    expect([isKeyword('HTTPS'), isKeyword('SOCKS5'), isKeyword('NEW_STATE'), isKeyword('Get'), isKeyword('A'), isKeyword('<*>')]).toEqual([true, true, true, false, false, false]);
  });
});

describe('templates: clustering rules that do not depend on position luck', () => {
  it('a variable word in the second position does not split the event (default depth routes on the first word)', () => {
    const d = new Drain();
    let id = 0;
    const add = (line: string) => d.add(line.split(' '), (tokens): Cluster => ({ id: ++id, ...clusterText(tokens) })).cluster;
    const a = add('member zoe joined the room');
    expect(add('member yusuf joined the room')).toBe(a);
    expect(add('member xavier joined the room')).toBe(a);
    expect(a.text).toBe('member <*> joined the room');
    expect(add('leaving yusuf joined the room')).not.toBe(a); // the first word still routes
  });

  it('candidates come from the index: 5,000 unrelated templates do not slow a line that matches none', () => {
    const d = new Drain();
    let id = 0;
    const make = (tokens: string[]): Cluster => ({ id: ++id, ...clusterText(tokens) });
    for (let i = 0; i < 5000; i++) d.add(['w' + i.toString(36).replace(/\d/g, 'q'), 'x' + i, 'y', 'z'], make);
    expect(d.match(['fresh', 'words', 'only', 'here'])).toBeUndefined();
    expect(d.match(['wq', 'x1', 'y', 'z'])?.id).toBeDefined();
  });

  it('two words with one index key (a hash collision) still make two templates, and each finds its own lines', () => {
    expect(wordKey('w4pvu')).toBe(wordKey('wb3ea')); // a collision of the 30-bit key, found by search
    const d = new Drain();
    let id = 0;
    const add = (line: string) => d.add(line.split(' '), (tokens): Cluster => ({ id: ++id, ...clusterText(tokens) })).cluster;
    const a = add('job w4pvu done ok now');
    const b = add('job wb3ea failed hard now');
    expect(b).not.toBe(a);
    expect(add('job w4pvu done ok now')).toBe(a);
    expect(add('job wb3ea failed hard now')).toBe(b);
    expect([a.text, b.text]).toEqual(['job w4pvu done ok now', 'job wb3ea failed hard now']);
  });

  it('generalising with the line a match found at every position changes nothing; with another line it does', () => {
    const d = new Drain();
    let id = 0;
    const make = (tokens: string[]): Cluster => ({ id: ++id, ...clusterText(tokens) });
    const a = d.add('queue <*> drained in time'.split(' '), make).cluster;
    const line = 'queue <*> drained in time'.split(' ');
    expect(d.match(line)).toBe(a);
    expect(d.generalise(a, line)).toBe(false);
    const other = 'queue <*> drained on time'.split(' ');
    expect(d.match(other)).toBe(a);
    expect(d.generalise(a, other)).toBe(true);
    expect(a.text).toBe('queue <*> drained <*> time');
    expect(d.generalise(a, line)).toBe(false); // already <*> there
  });
});
