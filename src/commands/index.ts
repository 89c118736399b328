/** The command list: the table of contents of berth, sorted by name. */
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { makeCompletionCommand } from './completion.js';
import { makeEventsCommand } from './events.js';
import { makeLogsCommand } from './logs.js';
import { makeServeCommand } from './serve.js';
import { makeStatsCommand } from './stats.js';
import { makeTemplatesCommand } from './templates.js';
import { makeTopologyCommand } from './topology.js';
import { makeWakeCommand } from './wake.js';
import { makeWatchIdleCommand } from './watch-idle.js';

export type CommandFactory = (ctx: CommandContext, root: () => Command) => Command;

export const COMMANDS: CommandFactory[] = [
  makeCompletionCommand,
  makeEventsCommand,
  makeLogsCommand,
  makeServeCommand,
  makeStatsCommand,
  makeTemplatesCommand,
  makeTopologyCommand,
  makeWakeCommand,
  makeWatchIdleCommand,
];
