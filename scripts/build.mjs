#!/usr/bin/env node
import { readFileSync } from 'node:fs';
// The build (npm run build, and prepack): after `tsc -p tsconfig.json` has type-checked src/ and
// written the module tree to dist/ (which scripts/gen-docs.js and some benchmarks import), this
// bundles the CLI into dist/bundle/ with esbuild, which bin/berth.js loads:
//
//   dist/bundle/main.js      the entry: berth's own code that every run needs, in one file
//   dist/bundle/<name>-*.js  one chunk per command (and chunks of code commands share), still
//                            loaded only by the command that needs it (src/commands/index.ts)
//   dist/bundle/commander.js the argument parser (commander), bundled into one file of its own
//   *.js.map                 source maps, used for stack traces with BERTH_DEBUG=1
//
// Other packages stay outside the bundle: they are the declared dependencies, loaded from node_modules.
// commander is bundled (a devDependency) because every run parses its arguments with it, and loaded
// from node_modules it cost a one-shot command 20-40 ms of CPU: Node's ESM loader resolving the
// package's exports and translating its CommonJS, and node:child_process, which commander requires
// as it loads for subcommands that are executables of their own (berth has none). The bundled copy
// is imported as './commander.js' by the chunks and loads node:child_process on first use.
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

/** commander as one ES module with the same exports, its licence at its head. */
async function bundleCommander() {
  const dir = dirname(fileURLToPath(import.meta.resolve('commander')));
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const licence = readFileSync(join(dir, 'LICENSE'), 'utf8').trim().replaceAll('*/', '* /');
  await build({
    absWorkingDir: root,
    stdin: { contents: "export * from 'commander';", resolveDir: root, sourcefile: 'commander-entry.js' },
    outfile: join(out, 'commander.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Its CommonJS requires Node's built-in modules; an ES module has no require of its own.
    banner: {
      js: `/* commander ${pkg.version}, bundled by berth's build. ${licence} */\nimport { createRequire as berthCreateRequire } from 'node:module';\nconst require = berthCreateRequire(import.meta.url);`,
    },
    plugins: [lazyChildProcess],
    // Stack traces with BERTH_DEBUG name commander's own files (through node_modules, not its real path).
    sourcemap: 'linked',
    sourcesContent: false,
    preserveSymlinks: true,
    logLevel: 'warning',
  });
}

/** commander's require of node:child_process, answered by a stand-in that loads it when first used. */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (a) => (a.namespace === 'lazy' ? { path: a.path, external: true } : { path: 'child_process', namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

/** The chunks import commander from the bundled copy beside them. */
const commanderBeside = {
  name: 'commander-beside',
  setup(b) {
    b.onResolve({ filter: /^commander$/ }, () => ({ path: './commander.js', external: true }));
  },
};

rmSync(out, { recursive: true, force: true });
const table = await summaries();
await bundleCommander();
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
  plugins: [commanderBeside],
  sourcemap: 'linked',
  sourcesContent: false,
  chunkNames: '[name]-[hash]',
  define: { BERTH_COMMAND_SUMMARIES: JSON.stringify(JSON.stringify(table)), BERTH_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  logLevel: 'warning',
  metafile: true,
});
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`build: ${files.length + 1} files in dist/bundle, commander.js among them (${table.length} commands in the help table)`);
