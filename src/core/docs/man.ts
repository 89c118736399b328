/** man/berth.1 in roff, generated from the command definitions. */
import type { Command } from 'commander';
import { EXIT_TABLE } from '../errors.js';
import { KEYS } from '../config/schema.js';
import { ENVIRONMENT } from './env.js';
import { programModel, type OptModel } from './model.js';

/** Escapes text for roff: backslashes, hyphens, and a leading dot or quote. */
export function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function optionEntry(o: OptModel): string {
  const extra = [o.choices ? `one of: ${o.choices.join(', ')}` : '', o.defaultValue ? `default: ${o.defaultValue}` : ''].filter(Boolean).join('; ');
  return `.TP\n.B ${roff(o.flags)}\n${roff(o.description)}${extra ? roff(` (${extra})`) : ''}\n`;
}

/** The files berth reads and writes, for the FILES section. */
const FILES: Array<[string, string]> = [
  [
    '$XDG_STATE_HOME/berth/watch-idle.json',
    'watch-idle --once: the activity seen by the last run (default --state; $XDG_STATE_HOME defaults to ~/.local/state). Written atomically; one run at a time holds its lock file beside it.',
  ],
  [
    '$XDG_RUNTIME_DIR/berth/claims/',
    'Which berth process (serve or watch-idle, by pid) manages which container, so a second one defers (BERTH_RUN_DIR overrides the directory; without $XDG_RUNTIME_DIR, /tmp/berth-UID).',
  ],
  ['$DOCKER_CONFIG/contexts/', 'Docker contexts, read for --context and for the current context (as the docker CLI does; $DOCKER_CONFIG defaults to ~/.docker).'],
  ['berth.yml', 'serve --config, watch-idle --config: routes and idle settings by container name, the same keys as the labels (see CONFIGURATION KEYS).'],
  ['FILE given to templates --state', 'Templates with their ids and counts, kept from run to run (written atomically).'],
];

export function manPage(program: Command, version: string): string {
  const { root, commands } = programModel(program);
  const out: string[] = [];
  out.push(`.TH BERTH 1 "" "berth ${version}" "User Commands"`);
  out.push('.SH NAME', 'berth \\- ' + roff(root.description));
  out.push('.SH SYNOPSIS', '.B berth', '[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]');
  out.push(
    '.SH DESCRIPTION',
    roff(
      'berth streams what a Docker engine knows and manages idle containers. Every subcommand writes newline-delimited JSON records ' +
        'when its output is not a terminal (or with --json), and a table or live view on a terminal. The records are documented in docs/records.md.',
    ),
  );
  out.push('.SH GLOBAL OPTIONS');
  for (const o of root.options) out.push(optionEntry(o).trimEnd());
  out.push('.SH COMMANDS');
  for (const c of commands) {
    out.push(`.SS ${roff(`berth ${c.name} ${c.usage}`)}`, roff(c.description));
    for (const o of c.options) out.push(optionEntry(o).trimEnd());
  }
  out.push('.SH EXAMPLES');
  for (const c of commands) for (const [cmd, what] of c.examples) out.push('.TP', `.B ${roff(cmd)}`, roff(what[0]!.toUpperCase() + what.slice(1) + '.'));
  out.push('.SH CONFIGURATION KEYS', roff('Container labels, and the same keys in the --config YAML file (the file wins key by key). Generated from src/core/config/schema.ts.'));
  for (const k of KEYS) out.push('.TP', `.B ${k.key}`, roff(`${k.meaning}. Values: ${k.values.replace(/`/g, '')}. Default: ${k.default.replace(/`/g, '')}.`));
  out.push('.SH ENVIRONMENT');
  for (const e of ENVIRONMENT) out.push('.TP', `.B ${e.name}`, roff(e.meaning));
  out.push('.SH FILES');
  for (const [path, what] of FILES) out.push('.TP', `.I ${roff(path)}`, roff(what));
  out.push('.SH EXIT STATUS');
  for (const e of EXIT_TABLE) out.push('.TP', `.B ${e.code}`, roff(e.meaning));
  out.push('.SH SEE ALSO', '\\fBdocker\\fR(1), \\fBjq\\fR(1)');
  return out.join('\n') + '\n';
}
