import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatedFiles } from '../../src/generated-docs.js';
import { ROOT } from '../helpers/paths.js';

const files = await generatedFiles();

describe('generated man page and completions', () => {
  it.each(Object.entries(files))('%s is current (run `npm run gen` after changing flags)', (path, content) => {
    expect(readFileSync(join(ROOT, path), 'utf8')).toBe(content);
  });
});
