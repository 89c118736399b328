/**
 * The command list: the table of contents of berth, sorted by name.
 *
 * Each command's module is loaded only when needed: `berth stats` loads the
 * stats command and what it uses, not the proxy, the YAML parser or the
 * template miner. Help, an unknown name and `completion` (which describes
 * every command) load them all.
 */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';

export type CommandFactory = (ctx: CommandContext, root: () => Command) => Command;

export interface CommandEntry {
  name: string;
  load: () => Promise<CommandFactory>;
}

export const COMMANDS: CommandEntry[] = [
  { name: 'completion', load: async () => (await import('./completion.js')).makeCompletionCommand },
  { name: 'events', load: async () => (await import('./events.js')).makeEventsCommand },
  { name: 'logs', load: async () => (await import('./logs.js')).makeLogsCommand },
  { name: 'serve', load: async () => (await import('./serve.js')).makeServeCommand },
  { name: 'stats', load: async () => (await import('./stats.js')).makeStatsCommand },
  { name: 'templates', load: async () => (await import('./templates.js')).makeTemplatesCommand },
  { name: 'topology', load: async () => (await import('./topology.js')).makeTopologyCommand },
  { name: 'wake', load: async () => (await import('./wake.js')).makeWakeCommand },
  { name: 'watch-idle', load: async () => (await import('./watch-idle.js')).makeWatchIdleCommand },
];

/** Global options that take a value (their value is not the command name). */
const VALUE_OPTIONS = new Set(['-H', '--host', '-c', '--context']);

/** The commands `argv` needs: the one it names, else all of them. */
export function commandsFor(argv: string[]): CommandEntry[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    const named = COMMANDS.find((c) => c.name === a);
    return named && named.name !== 'completion' ? [named] : COMMANDS;
  }
  return COMMANDS;
}
