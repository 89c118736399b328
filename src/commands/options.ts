/**
 * Flags several commands share, named as docker names them. A shared flag has one meaning (setMeaning,
 * shown in docs/flags.md) and, in each command's help, words for what it does in that command.
 */
import { Option, type Command } from 'commander';
import { setExamples, setMeaning, setTuning, type Example } from '../core/docs/model.js';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The one meaning of each flag name that several commands take (docs/flags.md), whatever each command's help says. */
export const MEANINGS: Record<string, string> = {
  '--follow': 'keep reading logs as they come: through restarts and containers that start later',
  '--tail': 'lines from the end of each container\'s logs, or "all" (a negative number too, as in docker logs)',
  '--since': 'from a time on: a duration (10m: ten minutes ago), an RFC 3339 time or a Unix timestamp',
  '--until': 'up to a time: a duration (10m: ten minutes ago), an RFC 3339 time or a Unix timestamp',
  '--max-line-bytes': 'longest line kept whole (64k, 1m); a longer line is cut there and marked',
  '--interval': 'the period, e.g. 5s: how often to sample (stats, watch-idle) or to print (templates --follow, topology)',
  '--state': 'state file kept from run to run, written atomically',
  '--format': 'output format (the formats each command has are in its help; default: table on a TTY, json otherwise)',
  '--json': 'short for --format json',
  '--filter': "filter with docker's keys (repeat: same key = OR, different keys = AND)",
  '--project': 'the containers of a compose project (com.docker.compose.project label), stopped ones too',
  '--service': 'a swarm service, by name or id, instead of containers (repeat for several; needs a swarm manager)',
  '--stack': "a swarm stack's services (com.docker.stack.namespace label)",
  '--node': "how to reach a swarm node's engine: NAME is its hostname or id, ENGINE as --host takes it (repeat per node)",
  '--swarm': "a swarm's services instead of one engine's containers, from its manager and every node berth reaches",
  '--archive': "swarm services' task logs kept in DIR/SERVICE.ndjson: watch-idle and serve keep them before a scale to 0 removes them, logs reads them back",
  '--config': 'YAML file of per-container settings, the same keys as the labels (the file wins key by key)',
};

/** A flag several commands take: `help` says what it does in this command, its meaning is MEANINGS'. */
export function sharedOption(flags: string, help: string): Option {
  const o = new Option(flags, help);
  const meaning = MEANINGS[o.long!];
  if (meaning === undefined) throw new Error(`internal: ${o.long} has no entry in MEANINGS`);
  return setMeaning(o, meaning) as Option;
}

export function addFormatOptions(cmd: Command, formats: string[], note = ''): Command {
  return cmd.addOption(sharedOption('--format <format>', `${formats.join(', ')} (table on a TTY, else json)${note}`).choices(formats)).addOption(sharedOption('--json', 'short for --format json'));
}

/** `--project NAME`, worded the same in every command that takes it. */
export function addProjectOption(cmd: Command): Command {
  return cmd.addOption(sharedOption('--project <name>', 'the containers of a compose project'));
}

/** `--service`, `--stack` and `--node`: swarm services instead of containers (docs/swarm.md). */
export function addSwarmOptions(cmd: Command, o: { stack?: boolean; service?: boolean } = {}): Command {
  if (o.service !== false) cmd.addOption(sharedOption('--service <name>', 'a swarm service instead of containers (repeat)').argParser(collect));
  if (o.stack !== false) cmd.addOption(sharedOption('--stack <name>', "a swarm stack's services"));
  return cmd.addOption(sharedOption('--node <name=engine>', "how to reach a swarm node's engine (repeat)").argParser(collect));
}

/** `--swarm`: the whole swarm instead of one engine's containers; `help` says what that is in this command. */
export function addSwarmFlag(cmd: Command, help: string): Command {
  return cmd.addOption(sharedOption('--swarm', help));
}

/** `--archive DIR`: the kept logs of swarm services' tasks (swarm/archive.ts): watch-idle and serve write, logs reads. */
export function addArchiveOption(cmd: Command, help: string): Command {
  return cmd.addOption(sharedOption('--archive <dir>', help));
}

/** `--config FILE`: the YAML file of per-container settings that serve, wake and watch-idle share. */
export function addConfigOption(cmd: Command): Command {
  return cmd.addOption(sharedOption('--config <file>', 'YAML file of per-container settings'));
}

/** An old name of a flag, still taken but not shown (the flag was renamed for one name per concept across commands). */
export function addOldName(cmd: Command, flags: string, now: string): Command {
  return cmd.addOption(new Option(flags, `old name of ${now}`).hideHelp());
}

/** `--filter`; `short`: also `-f`, where docker has it (events; logs' -f is --follow, as in docker logs). */
export function addFilterOption(cmd: Command, help: string, short = false): Command {
  return cmd.addOption(sharedOption(`${short ? '-f, ' : ''}--filter <key=value>`, help).argParser(collect));
}

/** The option groups of a command's help, in this order; an option in none of the lists is behaviour. */
const GROUPS = ['Selection:', 'Output:', 'Behaviour:'] as const;
const SELECTION = ['--project', '--filter', '--service', '--stack', '--node', '--swarm', '--since', '--until', '--tail', '--level', '--grep', '--exclude', '--all'];
const OUTPUT = ['--format', '--json', '--no-prefix', '--timestamps', '--summary', '--annotate', '--by', '--history', '--no-trunc'];

/** How a command's help sorts its flags beyond the common lists: its own selection flags, and its tuning flags. */
export interface Groups {
  selection?: string[];
  tuning?: string[];
}

/**
 * Gives a command its one-line summary (the top-level help's list) and its examples (its help and the man
 * page), and groups its options: selection, output, behaviour, then the tuning flags (limits and timeouts)
 * in one compact block of flag and default (the man page and docs/flags.md say what each does).
 * -h/--help works in every command and is listed in the top-level help only.
 */
export function describe(cmd: Command, summary: string, examples: Example[], groups: Groups = {}): Command {
  setExamples(cmd, examples);
  const group = (o: Option) => (SELECTION.includes(o.long!) || groups.selection?.includes(o.long!) ? 0 : OUTPUT.includes(o.long!) ? 1 : 2);
  for (const o of cmd.options) o.helpGroup(GROUPS[group(o)]!);
  (cmd.options as Option[]).sort((a, b) => group(a) - group(b));
  cmd.addHelpOption(new Option('-h, --help', 'show this help').hideHelp());
  const tuning = cmd.options.filter((o) => groups.tuning?.includes(o.long!));
  if (tuning.length !== (groups.tuning?.length ?? 0)) throw new Error(`internal: ${cmd.name()}: a tuning flag is not one of its options`);
  for (const o of tuning) setTuning(o);
  if (tuning.length) cmd.addHelpText('after', `\nTuning (defaults shown; man berth says what each does):\n${wrap(tuning.map((o) => `${o.long} ${String(o.defaultValue)}`))}`);
  // One line when the command and what it does fit in 80 columns, else what it does above it.
  const text = examples.map(([c, what]) => (`  ${c}  # ${what}`.length <= 80 ? `  ${c}  # ${what}` : `  # ${what}\n  ${c}`)).join('\n');
  return cmd.summary(summary).addHelpText('after', `\nExamples:\n${text}\n`);
}

/** Items two spaces apart, in lines of at most 80 columns indented by two. */
function wrap(items: string[]): string {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.length ? lines[lines.length - 1]! : undefined;
    if (last !== undefined && `${last}   ${item}`.length <= 80) lines[lines.length - 1] = `${last}   ${item}`;
    else lines.push(`  ${item}`);
  }
  return lines.join('\n');
}
