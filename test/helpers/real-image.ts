/** The real-software test image (Debian's Postgres, Redis, nginx, Python), built by scripts/real-image.sh. */
import { docker } from './docker.js';

export const REAL_IMAGE = 'berth-test/real';

/** Fails (never skips) when the image is missing, naming the script that builds it. */
export async function requireRealImage(): Promise<void> {
  const found = await docker
    .getImage(REAL_IMAGE)
    .inspect()
    .catch(() => undefined);
  if (!found) throw new Error(`image ${REAL_IMAGE} is missing: build it with \`bash scripts/real-image.sh docker\``);
}

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
