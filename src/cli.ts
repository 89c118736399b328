/**
 * Builds the program from src/commands and runs it:
 * `run(argv, io) -> exit code`. Errors are printed once, here.
 */
import { Command, CommanderError, Option } from 'commander';
import { CommandContext, type Io } from './context.js';
import { BerthError, EXIT, formatError, isAbortError } from './core/errors.js';
import { COMMANDS, commandsFor, type CommandEntry } from './commands/index.js';

export const VERSION = '0.1.0';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The program with the given commands (default: all of them, as help, the man page and completions need). */
export async function buildProgram(ctx: CommandContext, commands: CommandEntry[] = COMMANDS): Promise<Command> {
  const factories = await Promise.all(commands.map((c) => c.load()));
  const program = new Command('berth')
    .description('A toolkit for Docker engines: merged logs, stats, events, log templates, idle sleep and wake, a wake-on-request proxy and a live topology.')
    .version(VERSION, '-v, --version', 'print the version')
    .addOption(new Option('-H, --host <url>', 'engine to connect to (unix://, tcp://, ssh://); repeat for several engines (logs, stats, events)').argParser(collect))
    .addOption(new Option('-c, --context <name>', 'docker context to use; repeat for several engines (logs, stats, events)').argParser(collect))
    .showSuggestionAfterError(true);
  for (const make of factories) program.addCommand(make(ctx, () => program));
  applySettings(program, ctx.io);
  return program;
}

function applySettings(cmd: Command, io: Io): void {
  cmd.exitOverride();
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
