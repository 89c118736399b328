/** A plain model of the command tree, read from commander, for the man page and completions. */
import type { Command, Option } from 'commander';

export interface OptModel {
  flags: string;
  long?: string;
  short?: string;
  description: string;
  takesValue: boolean;
  choices?: string[];
  defaultValue?: string;
}

/** One example of a command's use: the command line and what it does. */
export type Example = [command: string, what: string];

const EXAMPLES = Symbol('berth.examples');

/** Attaches examples to a command (its help and the man page show them). */
export function setExamples(cmd: Command, examples: Example[]): void {
  (cmd as Command & { [EXAMPLES]?: Example[] })[EXAMPLES] = examples;
}

/** The examples attached with setExamples() (none for a command without). */
export function examplesOf(cmd: Command): Example[] {
  return (cmd as Command & { [EXAMPLES]?: Example[] })[EXAMPLES] ?? [];
}

export interface CmdModel {
  name: string;
  usage: string;
  description: string;
  examples: Example[];
  options: OptModel[];
  /** Positional arguments name containers, so completion offers container names. */
  takesContainers: boolean;
  choices?: string[];
}

export function optModel(o: Option): OptModel {
  const dv = o.defaultValue;
  const showDefault = dv !== undefined && dv !== false && !(Array.isArray(dv) && dv.length === 0);
  return {
    flags: o.flags,
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    description: o.description,
    takesValue: o.required || o.optional,
    ...(o.argChoices ? { choices: [...o.argChoices] } : {}),
    ...(showDefault ? { defaultValue: o.defaultValueDescription ?? JSON.stringify(dv) } : {}),
  };
}

export function cmdModel(c: Command): CmdModel {
  const args = c.registeredArguments;
  const choices = args.flatMap((a) => a.argChoices ?? []);
  return {
    name: c.name(),
    usage: c.usage(),
    description: c.description(),
    examples: examplesOf(c),
    options: c.options.filter((o) => !o.hidden).map(optModel),
    takesContainers: args.some((a) => /container|name/i.test(a.name())),
    ...(choices.length ? { choices } : {}),
  };
}

export function programModel(program: Command): { root: CmdModel; commands: CmdModel[] } {
  return { root: cmdModel(program), commands: program.commands.map(cmdModel).sort((a, b) => a.name.localeCompare(b.name)) };
}
