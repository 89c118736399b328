// docker's short forms where docker has the same flag, --no-color, the version from package.json and the
// engine socket's permission hint.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram, run, VERSION } from '../../src/cli.js';
import { CommandContext } from '../../src/context.js';
import { unreachable } from '../../src/core/engine/engine.js';
import { ROOT } from '../helpers/paths.js';

const io = (env: Record<string, string> = {}, input = '') => {
  const stdin = new PassThrough();
  stdin.end(input);
  return { stdout: new PassThrough(), stderr: new PassThrough(), stdin, env, signal: new AbortController().signal };
};

async function runIn(argv: string[], env: Record<string, string>, input: string) {
  const i = io(env, input);
  const out: string[] = [];
  i.stdout.on('data', (d) => out.push(String(d)));
  const code = await run(argv, i);
  return { code, stdout: out.join('') };
}

describe('flags', () => {
  it("has docker's short forms: logs and templates -n for --tail, events -f for --filter", async () => {
    const program = await buildProgram(new CommandContext(io()));
    const opt = (cmd: string, long: string) => (program.commands as Command[]).find((c) => c.name() === cmd)!.options.find((o) => o.long === long)!;
    expect(opt('logs', '--tail').short).toBe('-n');
    expect(opt('templates', '--tail').short).toBe('-n');
    expect(opt('events', '--filter').short).toBe('-f');
    expect(opt('logs', '--follow').short).toBe('-f');
  });

  it('--no-color turns colours off even with FORCE_COLOR set, before or after the command', async () => {
    const lines = 'ERROR disk full\nINFO started\n';
    const coloured = await runIn(['templates', '--format', 'table'], { FORCE_COLOR: '1' }, lines);
    expect(coloured.code).toBe(0);
    expect(coloured.stdout).toMatch(/\x1b\[/);
    for (const argv of [
      ['--no-color', 'templates', '--format', 'table'],
      ['templates', '--no-color', '--format', 'table'],
    ]) {
      const plain = await runIn(argv, { FORCE_COLOR: '1' }, lines);
      expect(plain.code).toBe(0);
      expect(plain.stdout).not.toMatch(/\x1b\[/);
      expect(plain.stdout.replace(/\s+/g, ' ')).toBe(coloured.stdout.replace(/\x1b\[[0-9;]*m/g, '').replace(/\s+/g, ' '));
    }
  });

  it('takes the old names of renamed flags (--every, --tick, watch-idle --timeout) and names the one given in an error', async () => {
    const err = async (argv: string[]) => {
      const i = io({}, '');
      const e: string[] = [];
      i.stderr.on('data', (d) => e.push(String(d)));
      const code = await run(argv, i);
      return [code, e.join('').split('\n')[0]];
    };
    expect(await err(['templates', '--follow', '--every', '50ms'])).toEqual([2, 'berth: --every: expected at least 100ms (got: "50ms")']);
    expect(await err(['templates', '--follow', '--interval', '50ms'])).toEqual([2, 'berth: --interval: expected at least 100ms (got: "50ms")']);
    expect(await err(['topology', '--tick', '50ms'])).toEqual([2, 'berth: --tick: expected at least 100ms (got: "50ms")']);
    expect(await err(['topology', '--interval', '50ms'])).toEqual([2, 'berth: --interval: expected at least 100ms (got: "50ms")']);
    expect(await err(['watch-idle', '--timeout', '5m'])).toEqual([2, 'berth: --timeout: only used with container names or --service (others use their berth.idle.timeout)']);
    expect(await err(['watch-idle', '--idle-timeout', '5m'])).toEqual([2, 'berth: --idle-timeout: only used with container names or --service (others use their berth.idle.timeout)']);
    expect(await err(['logs', '--max-line-bytes', 'lots'])).toEqual([2, 'berth: --max-line-bytes: expected a size like 512, 64k, 1m (got: "lots")']);
  });

  it('reads its version from package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('says "docker group" when the engine socket refuses this user, and "is the engine running" when it is absent', () => {
    const denied = unreachable({ host: 'unix:///var/run/docker.sock' } as never, Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' }));
    expect(denied.hint).toBe('permission denied on /var/run/docker.sock: add this user to the docker group (sudo usermod -aG docker $USER, then log in again) or run as root');
    const absent = unreachable({ host: 'unix:///var/run/docker.sock' } as never, Object.assign(new Error('connect ENOENT /var/run/docker.sock'), { code: 'ENOENT' }));
    expect(absent.hint).toMatch(/^is the Docker engine running\?/);
  });
});
