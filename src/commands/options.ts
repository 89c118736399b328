/** Flags several commands share, named as docker names them. */
import { Option, type Command } from 'commander';
import { setExamples, type Example } from '../core/docs/model.js';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

export function addFormatOptions(cmd: Command, formats: string[], note = ''): Command {
  return cmd
    .addOption(new Option('--format <format>', `output format: ${formats.join(', ')} (default: table on a TTY, json otherwise)${note}`).choices(formats))
    .option('--json', 'short for --format json');
}

/** `--project NAME`, worded the same in every command that takes it. */
export function addProjectOption(cmd: Command): Command {
  return cmd.option('--project <name>', 'the containers of a compose project (com.docker.compose.project label), stopped ones too');
}

/** `--service`, `--stack` and `--node`: swarm services instead of containers (docs/swarm.md), worded the same in every command. */
export function addSwarmOptions(cmd: Command, o: { stack?: boolean; service?: boolean } = {}): Command {
  if (o.service !== false) cmd.addOption(new Option('--service <name>', 'a swarm service, by name or id, instead of containers (repeat for several; needs a swarm manager)').argParser(collect));
  if (o.stack !== false) cmd.option('--stack <name>', "a swarm stack's services (com.docker.stack.namespace label)");
  return cmd.addOption(new Option('--node <name=engine>', "how to reach a swarm node's engine: NAME is its hostname or id, ENGINE as --host takes it (repeat per node)").argParser(collect));
}

/** `--swarm`: the whole swarm instead of one engine's containers (events: every node's events; serve: services as routes). */
export function addSwarmFlag(cmd: Command): Command {
  return cmd.option(
    '--swarm',
    "a swarm's services instead of one engine's containers, from its manager and every node berth reaches (events: the manager's events merged with every node's own; serve: services with berth.proxy.* labels are the routes)",
  );
}

/** `--archive DIR`: the kept logs of swarm services' tasks (swarm/archive.ts): watch-idle writes, logs reads. */
export function addArchiveOption(cmd: Command): Command {
  return cmd.option('--archive <dir>', "swarm services' task logs kept in DIR/SERVICE.ndjson: watch-idle and serve keep them before a scale to 0 removes them, logs reads them back");
}

/** `--config FILE`: the YAML file of per-container settings that serve, wake and watch-idle share. */
export function addConfigOption(cmd: Command): Command {
  return cmd.option('--config <file>', 'YAML file of per-container settings, the same keys as the labels (the file wins key by key)');
}

/** An old name of a flag, still taken but not shown (the flag was renamed for one name per concept across commands). */
export function addOldName(cmd: Command, flags: string, now: string): Command {
  return cmd.addOption(new Option(flags, `old name of ${now}`).hideHelp());
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
