/** The process entry point: signals in, exit code out. The only module that touches `process`. */
import { VERSION } from './version.js';

export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // A reader that went away (| head) is not an error; the sinks notice it too.
  process.stdout.on('error', () => {});
  // `berth --version` alone is answered before the option parser and the CLI load (scripts ask it often).
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const { run } = await import('./cli.js');
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: 'SIGINT' | 'SIGTERM') => () => {
    // A second Ctrl-C while shutting down means "now".
    if (++signals > 1) process.exit(name === 'SIGINT' ? 130 : 143);
    controller.abort(name);
  };
  // Node's deprecation warnings speak to berth's developers, not its users (a dependency's use of an
  // old API is not theirs to fix). They are shown with BERTH_DEBUG=1.
  if (!process.env.BERTH_DEBUG || process.env.BERTH_DEBUG === '0') process.noDeprecation = true;
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));
  // stdin and stderr are made when first used: Node builds a stream for each on first access (a file
  // stream over /dev/null costs a one-shot command about 8 ms of CPU), and most runs read no stdin.
  const code = await run(argv, {
    stdout: process.stdout,
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    signal: controller.signal,
  });
  // Let stdout drain before leaving; open engine sockets must not keep us alive.
  if (process.stdout.writableLength > 0 && !process.stdout.destroyed) {
    await new Promise<void>((resolve) => {
      process.stdout.once('drain', resolve);
      process.stdout.once('error', resolve);
      process.stdout.once('close', resolve);
    });
  }
  process.exit(code);
}
