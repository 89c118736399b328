// The built CLI as it starts (bin/berth.js and the bundle in dist/bundle/, made by `npm run build`):
// which chunks a command line loads, the help table written at build time, source-mapped stack traces
// with BERTH_DEBUG, and Node's compile cache. No engine is needed.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BERTH_BIN, ROOT } from '../helpers/docker.js';
import { run } from '../../src/cli.js';
import { COMMANDS } from '../../src/commands/index.js';

const TRACE = join(ROOT, 'test', 'helpers', 'trace-imports.mjs');
const NO_ENGINE = 'unix:///nonexistent-berth-startup.sock';

/** The URLs of the files that `berth ...args` loads (with no engine: a command that needs one exits 3). */
async function filesLoaded(args: string[], exitCode = 0): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'berth-trace-')), 'imports.txt');
  const r = await execa('node', ['--import', TRACE, BERTH_BIN, ...args], { reject: false, env: { BERTH_TRACE_IMPORTS: file, DOCKER_HOST: NO_ENGINE, DOCKER_CONTEXT: '' } });
  expect(r.exitCode, r.stderr).toBe(exitCode);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** The files of dist/bundle that `berth ...args` loads. */
async function chunksLoaded(args: string[], exitCode = 0): Promise<string[]> {
  return (await filesLoaded(args, exitCode)).filter((u) => u.includes('/dist/bundle/')).map((u) => basename(new URL(u).pathname));
}

/** The TypeScript sources (from the source maps) of the chunks `berth ...args` loads. */
async function sourcesLoaded(args: string[], exitCode = 0): Promise<string[]> {
  const chunks = await chunksLoaded(args, exitCode);
  const dir = join(ROOT, 'dist', 'bundle');
  return chunks.flatMap((c) => (JSON.parse(readFileSync(join(dir, `${c}.map`), 'utf8')) as { sources: string[] }).sources.map((s) => s.replace(/^(\.\.\/)+/, '')));
}

const commandChunks = (files: string[]) => files.filter((f) => COMMANDS.some((c) => f.startsWith(`${c.name}-`))).map((f) => f.replace(/-[A-Z0-9]+\.js$/, ''));

async function inProcess(argv: string[]) {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d) => (out += String(d)));
  const code = await run(argv, { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal });
  return { code, out };
}

describe('start-up of the built CLI', () => {
  it('--version loads neither the CLI nor a command; --help loads no command', async () => {
    const version = await chunksLoaded(['--version']);
    expect(version[0]).toBe('main.js');
    expect(version.filter((f) => f.startsWith('cli-'))).toEqual([]);
    expect(commandChunks(version)).toEqual([]);
    const help = await chunksLoaded(['--help']);
    expect(help).toContain('main.js');
    expect(help.filter((f) => f.startsWith('cli-'))).toHaveLength(1);
    expect(commandChunks(help)).toEqual([]);
  });

  it('a command loads its own chunk and no other command', async () => {
    expect(commandChunks(await chunksLoaded(['stats', '--help']))).toEqual(['stats']);
    expect(commandChunks(await chunksLoaded(['help', 'templates']))).toEqual(['templates']);
  });

  it('a one-shot stats loads none of the code that follows containers, nor the swarm code', async () => {
    // No engine: it stops at connecting (exit 3), after the flags and the swarm check, with its modules loaded.
    const sources = await sourcesLoaded(['stats', '--no-stream', 'x'], 3);
    expect(sources).toContain('src/core/stats/snapshot.ts');
    expect(sources.filter((s) => /^src\/core\/(stats\/(collector|sinks)|select\/supervisor|events\/|swarm\/(scope|cluster))/.test(s))).toEqual([]);
  });

  it('a command loads no package from node_modules: commander is bundled (dist/bundle/commander.js)', async () => {
    const files = await filesLoaded(['stats', '--help']);
    expect(files.filter((u) => u.includes('/node_modules/'))).toEqual([]);
    expect(files.map((u) => basename(new URL(u).pathname))).toContain('commander.js');
  });

  it("the bundle's --help (from the table written at build time) is the help of every command loaded", async () => {
    const built = await execa('node', [BERTH_BIN, '--help'], { reject: false });
    const source = await inProcess(['--help']);
    expect(built.exitCode).toBe(0);
    expect(built.stdout + '\n').toBe(source.out);
  });

  it('BERTH_DEBUG=1 prints a stack trace mapped to the TypeScript sources; without it, none', async () => {
    const env = { DOCKER_HOST: NO_ENGINE, DOCKER_CONTEXT: '' };
    const debug = await execa('node', [BERTH_BIN, 'stats', '--no-stream', 'x'], { reject: false, env: { ...env, BERTH_DEBUG: '1' } });
    expect(debug.exitCode).toBe(3);
    expect(debug.stderr).toMatch(/\n\s+at .*\/src\/core\/engine\/engine\.ts:\d+:\d+/);
    expect(debug.stderr).not.toMatch(/dist\/bundle/);
    const plain = await execa('node', [BERTH_BIN, 'stats', '--no-stream', 'x'], { reject: false, env });
    expect(plain.exitCode).toBe(3);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
  });

  it("uses Node's compile cache where the running Node has one (22.1 and later)", async () => {
    const has = (await execa('node', ['-p', "typeof require('node:module').enableCompileCache"])).stdout === 'function';
    const tmp = mkdtempSync(join(tmpdir(), 'berth-cache-'));
    const env: Record<string, string | undefined> = { ...process.env, TMPDIR: tmp };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const r = await execa('node', [BERTH_BIN, '--version'], { extendEnv: false, env, reject: false });
    expect(r.stdout).toBe('0.1.0');
    const cache = join(tmp, 'node-compile-cache');
    expect(existsSync(cache) && readdirSync(cache, { recursive: true }).length > 0).toBe(has);
  });
});
