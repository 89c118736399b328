/**
 * The checked-in generated files: path -> content. scripts/gen-docs.js writes them; a test checks they
 * are current. In the CLI layer (it builds the program); the generators themselves are in core/docs.
 */
import { buildProgram, VERSION } from './cli.js';
import { CommandContext } from './context.js';
import { PassThrough } from 'node:stream';
import { completionScript, SHELLS } from './core/docs/completions.js';
import { manPage } from './core/docs/man.js';
import { flagsDoc } from './core/docs/flags.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readmeWithLabels } from './core/config/schema.js';

/** The repository's root (this file is src/ or dist/). */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function generatedFiles(): Promise<Record<string, string>> {
  const sink = new PassThrough();
  const ctx = new CommandContext({ stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, signal: new AbortController().signal });
  const program = await buildProgram(ctx);
  const files: Record<string, string> = { 'man/berth.1': manPage(program, VERSION) };
  files['docs/flags.md'] = flagsDoc(program);
  for (const shell of SHELLS) files[`completions/berth.${shell}`] = completionScript(program, shell);
  // The label reference block of docs/commands.md, from the configuration schema.
  files['docs/commands.md'] = readmeWithLabels(readFileSync(join(ROOT, 'docs', 'commands.md'), 'utf8'));
  return files;
}
