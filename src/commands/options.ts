/** Flags several commands share, named as docker names them. */
import { Option, type Command } from 'commander';
import { setExamples, type Example } from '../core/docs/model.js';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addFormatOptions(cmd: Command, formats: string[], note = ''): Command {
  return cmd
    .addOption(new Option('--format <format>', `output format: ${formats.join(', ')} (default: table on a TTY, json otherwise)${note}`).choices(formats))
    .option('--json', 'short for --format json');
}

/** `--filter`; `short`: also `-f`, where docker has it (events; logs' -f is --follow, as in docker logs). */
export function addFilterOption(cmd: Command, what: string, short = false): Command {
  return cmd.addOption(new Option(`${short ? '-f, ' : ''}--filter <key=value>`, `filter ${what} (repeat: same key = OR, different keys = AND)`).argParser(collect));
}

/** Gives a command its one-line summary (the top-level help's list) and its examples (its help and the man page). */
export function describe(cmd: Command, summary: string, examples: Example[]): Command {
  setExamples(cmd, examples);
  const text = examples.map(([c, what]) => `  # ${what}\n  ${c}`).join('\n');
  return cmd.summary(summary).addHelpText('after', `\nExamples:\n${text}\n`);
}
