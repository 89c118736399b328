#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The build (npm run build, and prepare): after `tsc -p tsconfig.json` has type-checked src/ and
// written the module tree to dist/ (which scripts/gen-docs.js and some benchmarks import), this
// bundles the CLI into dist/bundle/ with esbuild, which bin/berth.js loads:
//
//   dist/bundle/main.js      the entry: berth's own code that every run needs, in one file
//   dist/bundle/<name>-*.js  one chunk per command (and chunks of code commands share), still
//                            loaded only by the command that needs it (src/commands/index.ts)
//   *.js.map                 source maps, used for stack traces with BERTH_DEBUG=1
//
// Packages stay outside the bundle: they are the declared dependencies, loaded from node_modules.
// The top-level help's table of command summaries is computed here, from the commands that tsc
// just built, and written into the bundle, so `berth --help` and `berth --version` load no command.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'bundle');

async function summaries() {
  const { commandSummaries } = await import(join(root, 'dist', 'cli.js'));
  const { CommandContext } = await import(join(root, 'dist', 'context.js'));
  const sink = new PassThrough();
  const ctx = new CommandContext({ stdout: sink, stderr: sink, stdin: new PassThrough(), env: {}, signal: new AbortController().signal });
  return commandSummaries(ctx);
}

rmSync(out, { recursive: true, force: true });
const table = await summaries();
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/main.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  sourcesContent: false,
  chunkNames: '[name]-[hash]',
  define: { BERTH_COMMAND_SUMMARIES: JSON.stringify(JSON.stringify(table)), BERTH_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  logLevel: 'warning',
  metafile: true,
});
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`build: ${files.length} files in dist/bundle (${table.length} commands in the help table)`);
