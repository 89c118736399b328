import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { join } from 'node:path';
import { berth, ROOT } from '../helpers/docker.js';

/** Completes `line` (words so far + the word being typed) with the generated bash script. */
async function bashComplete(words: string[]): Promise<string[]> {
  const script = `
    source ${join(ROOT, 'completions', 'berth.bash')}
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
    COMP_CWORD=${words.length - 1}
    _berth
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const res = await execa('bash', ['--norc', '--noprofile', '-c', script]);
  return res.stdout.split('\n').filter(Boolean);
}

describe('completions', () => {
  it('berth completion bash prints the checked-in script', async () => {
    const res = await berth(['completion', 'bash']);
    expect(res.exitCode).toBe(0);
    const { readFileSync } = await import('node:fs');
    expect(res.stdout + '\n').toBe(readFileSync(join(ROOT, 'completions', 'berth.bash'), 'utf8'));
  });

  it('completes subcommands when sourced into bash', async () => {
    expect(await bashComplete(['berth', 'ev'])).toEqual(['events']);
    expect(await bashComplete(['berth', '--host', 'unix:///x', 'ev'])).toEqual(['events']);
  });

  it("completes a subcommand's flags and choice values", async () => {
    expect(await bashComplete(['berth', 'events', '--si'])).toEqual(['--since']);
    expect(await bashComplete(['berth', 'events', '--format', ''])).toEqual(['json', 'table']);
    expect(await bashComplete(['berth', 'completion', 'z'])).toEqual(['zsh']);
  });

  it('zsh and fish scripts are syntactically valid where the shell exists', async () => {
    const zsh = await berth(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^#compdef berth/);
    const fish = await berth(['completion', 'fish']);
    expect(fish.stdout).toContain("complete -c berth -n '__fish_use_subcommand' -a events");
    expect((await berth(['completion', 'tcsh'])).exitCode).toBe(2);
  });
});

describe('man page', () => {
  it('renders with man and has no groff warnings', async () => {
    const res = await execa('man', ['-l', join(ROOT, 'man', 'berth.1')], { env: { MANWIDTH: '100', MANPAGER: 'cat', PAGER: 'cat' } });
    expect(res.stdout).toMatch(/^BERTH\(1\)/);
    for (const section of ['NAME', 'SYNOPSIS', 'GLOBAL OPTIONS', 'COMMANDS', 'ENVIRONMENT', 'EXIT STATUS']) expect(res.stdout).toMatch(new RegExp(`^${section}$`, 'm'));
    expect(res.stdout).toMatch(/berth events \[options\]/);
    expect(res.stdout).toMatch(/DOCKER_HOST/);
    expect(res.stdout).toMatch(/^\s+130\s+interrupted by SIGINT/m);
    const warn = await execa('groff', ['-man', '-ww', '-z', join(ROOT, 'man', 'berth.1')]);
    expect(warn.stderr).toBe('');
  });
});
