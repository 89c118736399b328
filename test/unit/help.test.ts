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

  it('berth --help lists the commands in the order a user meets them', async () => {
    const { text } = await helpOf(['--help']);
    const listed = [...text.split('\nCommands:\n')[1]!.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    expect(listed).toEqual(['logs', 'stats', 'events', 'templates', 'wake', 'watch-idle', 'serve', 'topology', 'completion', 'help']);
  });

  it("each command's help fits in 40 lines of 80 columns, options grouped, defaults as written", async () => {
    const program = await buildProgram(new CommandContext(io()));
    for (const c of program.commands as Command[]) {
      const { text } = await helpOf([c.name(), '--help']);
      const lines = text.trimEnd().split('\n');
      expect(lines.length, `${c.name()}: ${lines.length} lines`).toBeLessThanOrEqual(40);
      for (const l of lines) expect(l.length, `${c.name()}: ${l}`).toBeLessThanOrEqual(80);
      expect(text, c.name()).toMatch(/\nExamples:\n {2}\S/);
      expect(text, c.name()).not.toMatch(/^Options:$/m);
      expect(text, c.name()).not.toMatch(/default: "|default: \d{5,}/);
      const headings = [...text.matchAll(/^(Selection|Output|Behaviour):$/gm)].map((m) => m[1]);
      expect(headings, c.name()).toEqual([...headings].sort((a, b) => ['Selection', 'Output', 'Behaviour'].indexOf(a!) - ['Selection', 'Output', 'Behaviour'].indexOf(b!)));
    }
  });

  it("serve's help opens with an example and keeps internal terms out", async () => {
    const { text } = await helpOf(['serve', '--help']);
    expect(text.split('\n').slice(0, 4).join('\n')).toMatch(/\n {2}berth serve /);
    for (const term of ['lifecycle owner', 'virtual IP', 'routing mesh']) expect(text).not.toContain(term);
  });

  it('a flag name means one thing across commands, worded for each command', async () => {
    // What each shared flag may say in a command's help: loosely, its one meaning.
    const allowed: Record<string, RegExp> = {
      '--follow': /^keep (following|reading)\b/,
      '--tail': /^lines from the end\b/,
      '--since': /\bfrom a time on\b/,
      '--until': /^(up to|stop at) a time\b/,
      '--max-line-bytes': /^longest line kept whole\b/,
      '--interval': /^(with -f: )?how often to (sample|print)\b/,
      '--state': /\bkeep|\bkept\b/,
      '--format': /^json, table\b/,
      '--json': /^short for --format json$/,
      '--filter': /^(containers|events)\b/,
      '--project': /compose project/,
      '--service': /swarm service/,
      '--stack': /swarm stack/,
      '--node': /swarm node's engine/,
      '--swarm': /swarm/,
      '--archive': /logs\b.*\bin DIR\b/,
      '--config': /^YAML file of per-container settings/,
    };
    const program = await buildProgram(new CommandContext(io()));
    const takers = new Map<string, string[]>();
    for (const c of program.commands as Command[]) for (const o of c.options) if (!o.hidden && o.long) takers.set(o.long, [...(takers.get(o.long) ?? []), c.name()]);
    const shared = [...takers].filter(([, cmds]) => cmds.length > 1).map(([flag]) => flag);
    expect(
      shared.filter((f) => !(f in allowed)),
      'shared flags with no entry in the table',
    ).toEqual([]);
    for (const c of program.commands as Command[]) for (const o of c.options) if (!o.hidden && o.long && allowed[o.long]) expect(o.description, `${c.name()} ${o.long}`).toMatch(allowed[o.long]!);
    const follow = (program.commands as Command[]).find((c) => c.name() === 'logs')!.options.find((o) => o.long === '--follow')!;
    expect(follow.description).not.toMatch(/templates|--interval/);
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
