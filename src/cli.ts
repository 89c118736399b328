/**
 * Builds the program from src/commands and runs it:
 * `run(argv, io) -> exit code`. Errors are printed once, here.
 */
import { Command, CommanderError, Help, Option } from 'commander';
import { CommandContext, type Io } from './context.js';
import { BerthError, EXIT, formatError, isAbortError } from './core/errors.js';
import { COMMANDS, commandsFor, type CommandEntry, type CommandSummary } from './commands/index.js';

import { VERSION } from './version.js';
import { isTuning } from './core/docs/model.js';

export { VERSION };

const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * The program with the given commands (default: all of them, as the man page and completions need).
 * With none, each command is a stub made from its summary: enough for the top-level help, an
 * unknown name's suggestion and --version, without loading any command's code.
 */
export async function buildProgram(ctx: CommandContext, commands: CommandEntry[] = COMMANDS): Promise<Command> {
  const program = new Command('berth')
    .description('A toolkit for Docker engines: merged logs, stats, events, log templates, idle sleep and wake, a wake-on-request proxy and a live topology.')
    .version(VERSION, '-v, --version', 'print the version')
    .addOption(new Option('-H, --host <url>', 'engine to connect to (unix://, tcp://, ssh://); repeat for several engines (logs, stats, events)').argParser(collect))
    .addOption(new Option('-c, --context <name>', 'docker context to use; repeat for several engines (logs, stats, events)').argParser(collect))
    .option('--no-color', 'no colours (as NO_COLOR=1 does)')
    .showSuggestionAfterError(true)
    .hook('preAction', (_root, action) => {
      if ((action.optsWithGlobals() as { color?: boolean }).color === false) ctx.noColor();
    });
  program.configureHelp(HELP);
  if (commands.length === 0) addStubs(program, await commandSummaries(ctx));
  const factories = await Promise.all(commands.map((c) => c.load()));
  for (const make of factories) program.addCommand(make(ctx, () => program));
  applySettings(program, ctx.io);
  return program;
}

/** Set by the build (scripts/build.mjs) to the JSON of the table commandSummaries() computes; undefined when run from source. */
declare const BERTH_COMMAND_SUMMARIES: string | undefined;

/** What the top-level help says of each command. The bundle has it as a table; from source it is computed. */
export async function commandSummaries(ctx: CommandContext): Promise<CommandSummary[]> {
  if (typeof BERTH_COMMAND_SUMMARIES !== 'undefined') return JSON.parse(BERTH_COMMAND_SUMMARIES) as CommandSummary[];
  const program = await buildProgram(ctx, COMMANDS);
  const help = program.createHelp();
  return program.commands.map((c) => ({
    name: c.name(),
    term: help.subcommandTerm(c),
    description: help.subcommandDescription(c),
    hidden: !help.visibleCommands(program).includes(c),
  }));
}

function addStubs(program: Command, table: CommandSummary[]): void {
  for (const s of table) {
    const stub = new Command(s.name).description(s.description).action(() => {
      throw new Error(`internal: the summary of ${s.name} was run instead of the command`);
    });
    program.addCommand(stub, { hidden: s.hidden });
  }
  const terms = new Map(table.map((s) => [s.name, s.term]));
  program.configureHelp({
    ...HELP,
    subcommandTerm(this: Help, c: Command) {
      return terms.get(c.name()) ?? Help.prototype.subcommandTerm.call(this, c);
    },
  });
}

/**
 * How every help prints an option: its description, then its default as a person writes it
 * (`16m`, `5s`: the string the flag takes, without JSON quotes). Choices are not appended: each
 * description that has them names them.
 */
const HELP = {
  visibleOptions(this: Help, cmd: Command): Option[] {
    return Help.prototype.visibleOptions.call(this, cmd).filter((o) => !isTuning(o));
  },
  optionDescription(o: Option): string {
    const dv: unknown = o.defaultValue;
    const shown = dv !== undefined && (o.required || o.optional || (o.isBoolean() && typeof dv === 'boolean' && !o.negate));
    if (!shown) return o.description;
    return `${o.description} (default: ${o.defaultValueDescription ?? (typeof dv === 'string' ? dv : JSON.stringify(dv))})`;
  },
};

function applySettings(cmd: Command, io: Io): void {
  cmd.exitOverride();
  if (cmd.parent) cmd.configureHelp(HELP);
  cmd.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
    outputError: (s, write) => write(`berth: ${s.replace(/^error: /, '')}`),
  });
  for (const sub of cmd.commands) applySettings(sub, io);
}

export async function run(argv: string[], io: Io): Promise<number> {
  const ctx = new CommandContext(io);
  const debug = !!io.env.BERTH_DEBUG && io.env.BERTH_DEBUG !== '0';
  try {
    await (await buildProgram(ctx, commandsFor(argv))).parseAsync(argv, { from: 'user' });
  } catch (err) {
    const code = exitCodeFor(err, ctx, io);
    if (code !== undefined) return code;
    io.stderr.write(formatError(err, debug));
    return err instanceof BerthError ? err.exitCode : EXIT.failure;
  }
  return interruptedCode(io) ?? ctx.exitCode ?? EXIT.ok;
}

/** The exit code for errors that print nothing more (help, aborts, closed pipes), else undefined. */
function exitCodeFor(err: unknown, ctx: CommandContext, io: Io): number | undefined {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (ctx.pipeClosed) return EXIT.ok;
  if (io.signal.aborted && (isAbortError(err) || err === io.signal.reason || ctx.signal.aborted)) return interruptedCode(io);
  return undefined;
}

function interruptedCode(io: Io): number | undefined {
  if (!io.signal.aborted) return undefined;
  return io.signal.reason === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}
