/** Test helper: a command run in a container through the engine, to its end. */
import { docker } from './docker.js';

/** Runs a command in a container to its end (through a TTY, with no pager): exit code and output. */
export async function execIn(name: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const exec = await docker.getContainer(name).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true, Env: ['PAGER=cat', 'PSQL_PAGER=cat'] });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: true });
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => stream.on('end', resolve));
  const info = await exec.inspect();
  return { code: info.ExitCode ?? -1, out };
}
