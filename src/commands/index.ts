/**
 * The command list: the table of contents of berth, in the order a user meets
 * the commands (logs first, completion last); `berth --help` lists them so.
 *
 * Each command's module is loaded only when needed: `berth stats` loads the
 * stats command and what it uses, not the proxy, the YAML parser or the
 * template miner; `berth help stats` loads stats. The top-level help,
 * --version and an unknown name load none: they need only each command's
 * summary (CommandSummary, a table the build writes into the bundle).
 * `completion`, which describes every command, loads them all.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export type CommandFactory = (ctx: CommandContext, root: () => Command) => Command;

export interface CommandEntry {
  name: string;
  load: () => Promise<CommandFactory>;
}

/** A command as the top-level help lists it: "stats [options] [containers...]" and its one line. */
export interface CommandSummary {
  name: string;
  term: string;
  description: string;
  hidden: boolean;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'logs', load: async () => (await import('./logs.js')).makeLogsCommand },
  { name: 'stats', load: async () => (await import('./stats.js')).makeStatsCommand },
  { name: 'events', load: async () => (await import('./events.js')).makeEventsCommand },
  { name: 'templates', load: async () => (await import('./templates.js')).makeTemplatesCommand },
  { name: 'wake', load: async () => (await import('./wake.js')).makeWakeCommand },
  { name: 'watch-idle', load: async () => (await import('./watch-idle.js')).makeWatchIdleCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).makeServeCommand },
  { name: 'topology', load: async () => (await import('./topology.js')).makeTopologyCommand },
  { name: 'completion', load: async () => (await import('./completion.js')).makeCompletionCommand },
];

/** Global options that take a value (their value is not the command name). */
const VALUE_OPTIONS = new Set(['-H', '--host', '-c', '--context']);

/** The commands `argv` needs: the one it names (or asks help for), all for completion, else none. */
export function commandsFor(argv: string[]): CommandEntry[] {
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    if (a === 'help' && !help) {
      help = true;
      continue;
    }
    const named = COMMANDS.find((c) => c.name === a);
    if (!named) return [];
    return named.name === 'completion' && !help ? COMMANDS : [named];
  }
  return [];
}
