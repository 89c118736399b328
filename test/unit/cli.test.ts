import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { buildProgram, run, VERSION } from '../../src/cli.js';
import { CommandContext } from '../../src/context.js';
import { COMMANDS, commandsFor } from '../../src/commands/index.js';

async function runIn(argv: string[], env: Record<string, string> = {}, signal = new AbortController().signal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  stderr.on('data', (d) => err.push(String(d)));
  const code = await run(argv, { stdout, stderr, stdin: new PassThrough(), env, signal });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('run() in process', () => {
  it('prints help and the version with exit 0', async () => {
    const help = await runIn(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: berth \[options\] \[command\]/);
    const v = await runIn(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });

  it('reports an unknown command or flag on one line with exit 2', async () => {
    const r = await runIn(['evnets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^berth: unknown command 'evnets'/);
    expect(r.stderr).toMatch(/Did you mean events\?/);
    const f = await runIn(['events', '--bogus']);
    expect(f.code).toBe(2);
    expect(f.stderr).toBe("berth: unknown option '--bogus'\n");
  });

  it('maps an unreachable engine to exit 3 with a hint, and a stack trace only with BERTH_DEBUG', async () => {
    const r = await runIn(['events'], { DOCKER_HOST: 'unix:///nonexistent.sock' });
    expect(r.code).toBe(3);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(2);
    const d = await runIn(['events'], { DOCKER_HOST: 'unix:///nonexistent.sock', BERTH_DEBUG: '1' });
    expect(d.code).toBe(3);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('refuses several engines for a command that acts on one, before connecting to any', async () => {
    for (const cmd of [['wake', 'web'], ['watch-idle', '--once'], ['serve'], ['topology']]) {
      const r = await runIn(['-H', 'unix:///nonexistent-a.sock', '-H', 'unix:///nonexistent-b.sock', ...cmd]);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(`berth: ${cmd[0]} works on one engine (--host was given 2 times)`);
    }
    const c = await runIn(['--context', 'a', '--context', 'b', 'wake', 'web']);
    expect(c.stderr.split('\n')[0]).toBe('berth: wake works on one engine (--context was given 2 times)');
  });

  it('exits 130 quietly when interrupted before anything happens', async () => {
    const ac = new AbortController();
    ac.abort('SIGINT');
    const r = await runIn(['events'], { DOCKER_HOST: 'unix:///nonexistent.sock' }, ac.signal);
    expect(r).toMatchObject({ code: 130, stderr: '' });
  });
});

describe('the version', () => {
  it("is package.json's", async () => {
    const { readFileSync } = await import('node:fs');
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('commandsFor (which command modules a command line loads)', () => {
  const names = (argv: string[]) => commandsFor(argv).map((c) => c.name);
  it('loads only the command named, past global options and their values', () => {
    expect(names(['stats', '--no-stream'])).toEqual(['stats']);
    expect(names(['-H', 'unix:///x.sock', '--context', 'stats', 'logs', '-f'])).toEqual(['logs']);
    expect(names(['--host=tcp://h:2375', 'watch-idle'])).toEqual(['watch-idle']);
  });
  it('loads the command that help is asked for', () => {
    expect(names(['help', 'stats'])).toEqual(['stats']);
    expect(names(['help', 'completion'])).toEqual(['completion']);
  });
  it('loads none for the top-level help, --version, no command or an unknown name, and all for completion', () => {
    for (const argv of [[], ['--help'], ['-h'], ['--version'], ['-v'], ['help'], ['help', 'evnets'], ['evnets'], ['-H', 'stats']]) expect(names(argv)).toEqual([]);
    expect(names(['completion', 'bash'])).toEqual(COMMANDS.map((c) => c.name));
  });
});

describe('the top-level help from summaries (no command loaded)', () => {
  const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal });
  it('is the help of the program with every command loaded', async () => {
    const full = await buildProgram(new CommandContext(io()), COMMANDS);
    const stubs = await buildProgram(new CommandContext(io()), []);
    expect(stubs.commands.map((c) => c.name())).toEqual(COMMANDS.map((c) => c.name));
    expect(stubs.helpInformation()).toBe(full.helpInformation());
    expect(stubs.helpInformation()).toMatch(/\n {2}stats \[options\] \[containers\.\.\.\] +/);
  });
  it('prints the same for --help, no command and help with no name', async () => {
    const help = await runIn(['--help']);
    expect((await runIn(['help'])).stdout).toBe(help.stdout);
    const none = await runIn([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(help.stdout);
  });
  it("help for a command prints that command's own help", async () => {
    const r = await runIn(['help', 'stats']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: berth stats \[options\]/);
    expect(r.stdout).toContain('--no-stream');
  });
});
