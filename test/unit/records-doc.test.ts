import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RECORD_TYPES } from '../../src/core/records.js';
import { ROOT } from '../helpers/paths.js';

describe('docs/records.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'records.md'), 'utf8');
  it.each(RECORD_TYPES)('documents the %s record', (type) => {
    expect(doc).toMatch(new RegExp(`^#{2,3} \`${type}\``, 'm'));
  });
});
