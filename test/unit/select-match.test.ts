import { describe, expect, it } from 'vitest';
import { labelsOf, matchAttributes } from '../../src/core/select/match.js';

const attrs = { name: 'shop-web-1', image: 'nginx', 'com.docker.compose.project': 'shop', tier: 'front' };

describe('matchAttributes (a container event against a --project/--filter selection)', () => {
  it.each([
    [{ names: [], project: 'shop' }, true],
    [{ names: [], project: 'other' }, false],
    [{ names: [], filters: { label: ['tier=front', 'com.docker.compose.project'] } }, true],
    [{ names: [], filters: { label: ['tier=front', 'missing'] } }, false], // every label must hold
    [{ names: [], filters: { name: ['nope', 'web'] } }, true], // any name, as a pattern
    [{ names: [], filters: { name: ['^/shop-web'] } }, true],
    [{ names: [], filters: { id: ['abc'] } }, true],
    [{ names: [], filters: { id: ['abd'] } }, false],
    [{ names: [], project: 'other', filters: { status: ['running'] } }, false], // decided before the unknown key
  ])('%j -> %s', (sel, want) => {
    expect(matchAttributes(sel, 'abcdef', attrs)).toBe(want);
  });

  it('leaves keys it cannot decide to the engine', () => {
    expect(matchAttributes({ names: [], filters: { status: ['running'] } }, 'abcdef', attrs)).toBeUndefined();
    expect(matchAttributes({ names: [], project: 'shop', filters: { ancestor: ['nginx'] } }, 'abcdef', attrs)).toBeUndefined();
  });

  it('labelsOf drops the image and name an event adds to the labels', () => {
    expect(labelsOf(attrs)).toEqual({ 'com.docker.compose.project': 'shop', tier: 'front' });
  });
});
