// Help for people: a short top-level list, and examples in every command's help and in the man page
// whose flags the command really takes.
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { buildProgram, run, VERSION } from '../../src/cli.js';
import { CommandContext } from '../../src/context.js';
import { examplesOf } from '../../src/core/docs/model.js';
import { manPage } from '../../src/core/docs/man.js';

async function helpOf(argv: string[]) {
  const stdout = new PassThrough();
  const out: string[] = [];
  stdout.on('data', (d) => out.push(String(d)));
  const code = await run(argv, { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal });
  return { code, text: out.join('') };
}

const io = () => ({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal });

/** The long flags of an example's `berth CMD ...` part, up to the first pipe or redirection. */
function flagsUsed(line: string, name: string): string[] {
  const at = line.indexOf(`berth ${name}`);
  const own = line.slice(at).split(/\s[|<>]/)[0]!;
  return [...own.matchAll(/\s(--[a-z][a-z-]*)/g)].map((m) => m[1]!);
}

describe('help', () => {
  it('berth --help fits in 40 lines: one summary line per command', async () => {
    const { code, text } = await helpOf(['--help']);
    expect(code).toBe(0);
    expect(text.trimEnd().split('\n').length).toBeLessThanOrEqual(40);
    for (const name of ['logs', 'stats', 'events', 'templates', 'wake', 'watch-idle', 'serve', 'topology', 'completion']) expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it("every command's help ends with examples, and each example's flags are the command's own", async () => {
    const program = await buildProgram(new CommandContext(io()));
    const cmds = program.commands as Command[];
    expect(cmds.length).toBeGreaterThanOrEqual(9);
    for (const c of cmds) {
      const ex = examplesOf(c);
      expect(ex.length, c.name()).toBeGreaterThanOrEqual(1);
      expect(c.summary(), c.name()).toMatch(/^[A-Z].{10,70}$/);
      const { text } = await helpOf([c.name(), '--help']);
      expect(text, c.name()).toContain('\nExamples:\n');
      const own = new Set(c.options.map((o) => o.long).concat(program.options.map((o) => o.long)));
      for (const [line] of ex) {
        expect(text.includes(`  ${line}\n`) || text.includes(`  ${line}  # `), line).toBe(true);
        for (const flag of flagsUsed(line, c.name())) expect(own.has(flag), `${c.name()}: ${flag} in "${line}"`).toBe(true);
      }
    }
  });

  it('the man page has every example, and FILES', async () => {
    const program = await buildProgram(new CommandContext(io()));
    const man = manPage(program, VERSION);
    expect(man).toContain('.SH EXAMPLES');
    expect(man).toContain('.SH FILES');
    expect(man).toContain('watch\\-idle.json');
    for (const c of program.commands as Command[]) for (const [line] of examplesOf(c)) expect(man).toContain(`.B ${line.replace(/\\/g, '\\e').replace(/-/g, '\\-')}`);
  });
});
