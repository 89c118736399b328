import { describe, expect, it } from 'vitest';
import { cliSelection } from '../../src/core/engine/select.js';

describe('the selection from the command line', () => {
  it.each([
    ['no names, no project, no filter: the running containers (docker ps)', [], undefined, {}, undefined],
    ['--project: its stopped containers too (docker-compose logs)', [], 'shop', {}, true],
    ['--filter: stopped ones too (docker ps -a --filter); status= still decides', [], undefined, { status: ['running'] }, true],
    ['an empty --filter key takes nothing more', [], undefined, { label: [] }, undefined],
    ['names: taken whatever their state, no listing', ['web'], 'shop', { label: ['a=b'] }, undefined],
  ])('%s', (_what, names: string[], project: string | undefined, filters: Record<string, string[]>, all) => {
    expect(cliSelection(names, project, filters).all).toBe(all);
  });
});
