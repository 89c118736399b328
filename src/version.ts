/**
 * berth's version: package.json's. The bundle has it written in by the build (scripts/build.mjs), so
 * `--version` reads no file; run from source or dist/, it is read from the package.json one level up.
 * Its own module, so `--version` loads nothing else.
 */
import { readFileSync } from 'node:fs';

declare const BERTH_VERSION: string | undefined;

export const VERSION: string = typeof BERTH_VERSION !== 'undefined' ? BERTH_VERSION : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
