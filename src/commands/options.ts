/** Flags several commands share, named as docker names them. */
import { Option, type Command } from 'commander';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addFormatOptions(cmd: Command, formats: string[], note = ''): Command {
  return cmd
    .addOption(new Option('--format <format>', `output format: ${formats.join(', ')} (default: table on a TTY, json otherwise)${note}`).choices(formats))
    .option('--json', 'short for --format json');
}

export function addFilterOption(cmd: Command, what: string): Command {
  return cmd.addOption(new Option('--filter <key=value>', `filter ${what} (repeat: same key = OR, different keys = AND)`).argParser(collect));
}
