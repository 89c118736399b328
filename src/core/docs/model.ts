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
  /** What the flag is, the same in every command that takes it (docs/flags.md); `description` is its help in this command. */
  meaning?: string;
}

/** One example of a command's use: the command line and what it does. */
export type Example = [command: string, what: string];

const EXAMPLES = Symbol('berth.examples');
const MEANING = Symbol('berth.meaning');
const TUNING = Symbol('berth.tuning');

/** Marks a flag as tuning (a limit or timeout most never change): the help lists it in one compact block. */
export function setTuning(o: Option): void {
  (o as Option & { [TUNING]?: boolean })[TUNING] = true;
}

export function isTuning(o: Option): boolean {
  return !!(o as Option & { [TUNING]?: boolean })[TUNING];
}

/** Gives a flag shared by several commands its one meaning, worded for every command at once (docs/flags.md). */
export function setMeaning(o: Option, meaning: string): Option {
  (o as Option & { [MEANING]?: string })[MEANING] = meaning;
  return o;
}

/** The meaning set with setMeaning(), else the flag's own description. */
export function meaningOf(o: Option): string {
  return (o as Option & { [MEANING]?: string })[MEANING] ?? o.description;
}

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
    meaning: meaningOf(o),
    takesValue: o.required || o.optional,
    ...(o.argChoices ? { choices: [...o.argChoices] } : {}),
    ...(showDefault ? { defaultValue: o.defaultValueDescription ?? (typeof dv === 'string' ? dv : JSON.stringify(dv)) } : {}),
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
