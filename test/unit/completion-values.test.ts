// Completion of --project and --context values, as a user's bash runs it: the generated script,
// sourced in a real bash, with a stand-in `docker` first on PATH that prints what the engine would.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { buildProgram } from '../../src/cli.js';
import { CommandContext } from '../../src/context.js';
import { completionScript } from '../../src/core/docs/completions.js';

async function complete(line: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-compl-'));
  const fake = join(dir, 'docker');
  // `docker ps ... {{.Label "com.docker.compose.project"}}`: one line per container (empty for none);
  // `docker context ls`: the context names.
  writeFileSync(fake, '#!/bin/sh\ncase "$1" in\n  ps) printf "shop\\n\\nshop\\nblog\\n" ;;\n  context) printf "default\\nstaging\\nprod\\n" ;;\nesac\n');
  chmodSync(fake, 0o755);
  const program = await buildProgram(new CommandContext({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal }));
  const script = join(dir, 'berth.bash');
  writeFileSync(script, completionScript(program, 'bash'));
  const words = line.split(' ');
  const cmd = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _berth; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', cmd], { env: { PATH: `${dir}:${process.env.PATH}` } });
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('completion of values from the engine (bash)', () => {
  it('offers the compose projects after --project, once each', async () => {
    expect(await complete('berth logs --project ')).toEqual(['blog', 'shop']);
    expect(await complete('berth stats --project s')).toEqual(['shop']);
  });
  it('offers the docker contexts after --context, before or after the command', async () => {
    expect(await complete('berth --context ')).toEqual(['default', 'prod', 'staging']);
    expect(await complete('berth logs -c st')).toEqual(['staging']);
  });
  it('still offers flags and container names elsewhere', async () => {
    expect(await complete('berth logs --proj')).toEqual(['--project']);
  });
});
