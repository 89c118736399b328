/**
 * docs/flags.md: every flag of every command, what it means and which commands take it, generated
 * from the command definitions. One row per flag name: a name that meant two things in two commands
 * would show two meanings in one row (the test in test/unit/flags-doc.test.ts keeps one per name).
 */
import type { Command } from 'commander';
import { programModel } from './model.js';

export interface FlagRow {
  flags: string;
  meanings: Map<string, string[]>;
}

/** The flags by long name: each meaning with the commands that give it. Global flags come first. */
export function flagRows(program: Command): FlagRow[] {
  const { root, commands } = programModel(program);
  const rows = new Map<string, FlagRow>();
  const add = (cmd: string, flags: string, meaning: string) => {
    const name = flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!;
    const row = rows.get(name) ?? { flags, meanings: new Map() };
    if (flags.length > row.flags.length) row.flags = flags;
    const key = generic(meaning);
    row.meanings.set(key, [...(row.meanings.get(key) ?? []), cmd]);
    rows.set(name, row);
  };
  for (const o of root.options) if (o.flags !== '-h, --help') add('(all)', o.flags, o.meaning ?? o.description);
  for (const c of commands) for (const o of c.options) add(c.name, o.flags, o.meaning ?? o.description);
  const global = (r: FlagRow) => [...r.meanings.values()].some((cmds) => cmds.includes('(all)'));
  return [...rows.entries()].sort(([a, x], [b, y]) => Number(global(y)) - Number(global(x)) || a.localeCompare(b)).map(([, r]) => r);
}

/**
 * What a flag means, with the command-specific wording taken out where the meaning is the same:
 * --format's list of formats and --filter's examples differ per command, not what the flag is.
 */
function generic(description: string): string {
  return description
    .replace(/^output format: .*$/, 'output format (the formats each command has are in its help)')
    .replace(/^filter .*\(repeat: same key = OR, different keys = AND\)$/, "filter with docker's keys (repeat: same key = OR, different keys = AND)");
}

export function flagsDoc(program: Command): string {
  const out = [
    '# Flags',
    '',
    'Every flag of every command, what it means and the commands that take it. Generated from the',
    'command definitions (`npm run gen`); a test fails when this file is stale, and another when one',
    "flag name means two things. Global flags (before or after the command) first. A command's help words a",
    'shared flag for what it does in that command; the meaning here is the one those words share.',
    '',
    '| flag | meaning | commands |',
    '|---|---|---|',
  ];
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  for (const r of flagRows(program)) {
    for (const [meaning, cmds] of r.meanings) out.push(`| \`${cell(r.flags)}\` | ${cell(meaning)} | ${cmds.join(', ')} |`);
  }
  return out.join('\n') + '\n';
}
