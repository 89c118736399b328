// One name per concept and one concept per name across commands (docs/flags.md, generated).
import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { buildProgram } from '../../src/cli.js';
import { CommandContext } from '../../src/context.js';
import { flagRows, flagsDoc } from '../../src/core/docs/flags.js';
import { setMeaning } from '../../src/core/docs/model.js';

const program = () => buildProgram(new CommandContext({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal }));

describe('docs/flags.md', () => {
  it('gives every flag name one meaning across the commands that take it', async () => {
    const rows = flagRows(await program());
    expect(rows.length).toBeGreaterThan(50);
    const many = rows.filter((r) => r.meanings.size > 1).map((r) => `${r.flags}: ${[...r.meanings.keys()].join(' / ')}`);
    expect(many).toEqual([]);
  });

  it('shares the period, time window and size flags under one name each', async () => {
    const rows = new Map(flagRows(await program()).map((r) => [r.flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!, r]));
    const cmds = (name: string) => [...rows.get(name)!.meanings.values()].flat().sort();
    expect(cmds('--interval')).toEqual(['stats', 'templates', 'topology', 'watch-idle']);
    expect(cmds('--since')).toEqual(['events', 'logs', 'templates']);
    expect(cmds('--max-line-bytes')).toEqual(['logs', 'templates']);
    for (const old of ['--every', '--tick']) expect(rows.has(old)).toBe(false); // still taken, not shown
  });

  it('a made-up second meaning shows as a row with two', async () => {
    const p = await program();
    setMeaning(
      p.commands.find((c) => c.name() === 'stats')!.options.find((o) => o.long === '--interval')!,
      'something else',
    );
    expect(flagRows(p).find((r) => r.flags.includes('--interval'))!.meanings.size).toBe(2);
    expect(flagsDoc(p)).toContain('| something else | stats |');
  });
});
