/**
 * ssh:// engines, reached the way docker's own CLI reaches them: run
 * `ssh [-l user] [-p port] -o ConnectTimeout=30 -T -- host docker system dial-stdio`
 * and speak HTTP over the child's stdin and stdout. The user's ssh does the
 * connecting, so ~/.ssh/config (Host aliases, ProxyJump, IdentityFile,
 * ControlMaster), the agent and known_hosts all apply, as they do for docker.
 *
 * One ssh process is one connection: the engine client's keep-alive agent
 * reuses it for the next request, and opens another for requests that run at
 * once (several streams). The connection itself is dial-stdio.ts, loaded
 * with the first one (node:child_process is not needed by other engines).
 */
import type { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { usageError } from '../errors.js';

/** ssh's arguments for an ssh:// host, as docker's CLI builds them (cli/connhelper). */
export function sshArgs(host: string): string[] {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw usageError(`--host: not a valid ssh:// URL (got: ${JSON.stringify(host)})`);
  }
  if (url.protocol !== 'ssh:' || !url.hostname) throw usageError(`--host: expected ssh://[user@]host[:port] (got: ${JSON.stringify(host)})`);
  if (url.password) throw usageError(`--host: a password in an ssh:// URL is not supported; use the ssh agent or a key (got: ${JSON.stringify(host)})`);
  if (url.search || url.hash) throw usageError(`--host: an ssh:// URL takes no query or fragment (got: ${JSON.stringify(host)})`);
  const args: string[] = [];
  if (url.username) args.push('-l', decodeURIComponent(url.username));
  if (url.port) args.push('-p', url.port);
  args.push('-o', 'ConnectTimeout=30', '-T', '--', url.hostname.replace(/^\[|\]$/g, ''));
  // A path names the engine's socket on the far side, as `docker --host unix://PATH` would.
  const path = decodeURIComponent(url.pathname);
  args.push('docker', ...(path && path !== '/' ? ['--host', `unix://${path}`] : []), 'system', 'dial-stdio');
  return args;
}

/** An HTTP agent whose connections are ssh processes running `docker system dial-stdio`. */
export function sshAgent(host: string): Agent {
  const args = sshArgs(host);
  // node:http by require, not import: an import of it reads every export, and on Node 22 and later one
  // of them loads Node's bundled undici (about 50 ms of CPU at start-up), which berth does not use.
  const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');
  const agent = new http.Agent({ keepAlive: true });
  // The agent takes a connection handed to the callback later, as here once the module has loaded.
  agent.createConnection = (_options, made) => {
    import('./dial-stdio.js').then(
      ({ DialStdio }) => made?.(null, new DialStdio(args)),
      (err: Error) => made?.(err, undefined as never),
    );
    return undefined;
  };
  return agent;
}
