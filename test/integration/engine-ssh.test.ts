// An ssh:// engine: berth runs `ssh ... -- HOST docker system dial-stdio`, as docker's CLI does. A
// throwaway sshd on 127.0.0.1 (scripts/ssh-test-server.sh) leads back to this machine's engine, as a
// remote engine would be reached.
//
// berth runs with a home of its own: HOME is a folder with .ssh/config (a Host alias naming the sshd's
// address, port, user and key) and .ssh/known_hosts (the sshd's host key). OpenSSH takes ~ from the
// password database, not from $HOME, so berth runs in a private mount namespace (unshare) where
// /etc/passwd gives this user that folder as home: what a user's own login would give ssh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, removeContainer, ROOT, runContainer, uniqueName, waitFor } from '../helpers/docker.js';

const SCRIPT = join(ROOT, 'scripts', 'ssh-test-server.sh');
const ALIAS = 'berth-test-engine';
const dir = mkdtempSync(join(tmpdir(), 'berth-ssh-'));
const home = mkdtempSync(join(tmpdir(), 'berth-ssh-home-'));
const passwd = join(home, 'passwd');
const made: string[] = [];
let port = 0;
let agentSock = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The home: .ssh/config with the alias, .ssh/known_hosts with the sshd's key, and a passwd naming it. */
function makeHome(): void {
  const ssh = join(home, '.ssh');
  mkdirSync(ssh, { mode: 0o700 });
  const config = [
    `Host ${ALIAS}`,
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    '  User root',
    `  IdentityFile ${join(dir, 'id')}`,
    '  IdentitiesOnly yes',
    // Never ask at a terminal: an unknown host key fails at once.
    'Host *',
    '  StrictHostKeyChecking yes',
    '',
  ].join('\n');
  writeFileSync(join(ssh, 'config'), config, { mode: 0o600 });
  writeKnownHosts();
  const { uid } = userInfo();
  const lines = readFileSync('/etc/passwd', 'utf8').split('\n');
  const own = lines.map((l) => {
    const f = l.split(':');
    return f.length >= 7 && Number(f[2]) === uid ? [...f.slice(0, 5), home, ...f.slice(6)].join(':') : l;
  });
  writeFileSync(passwd, own.join('\n'));
  chmodSync(home, 0o700);
}

function writeKnownHosts(): void {
  const hostKey = readFileSync(join(dir, 'hostkey.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`, { mode: 0o600 });
}

/** berth with that home: HOME set, and ~ in the password database, for this process only. */
function berthAtHome(args: string[], env: Record<string, string>) {
  const inNamespace = 'mount --bind "$1" /etc/passwd && shift && exec "$@"';
  return execa('unshare', ['--mount', '--propagation', 'private', '--', 'bash', '-c', inNamespace, 'berth-home', passwd, 'node', BERTH_BIN, ...args], {
    reject: false,
    timeout: 60_000,
    extendEnv: false,
    env: { PATH: process.env.PATH!, HOME: home, DOCKER_CONTEXT: '', ...env },
  });
}

beforeAll(async () => {
  port = await freePort();
  const { stdout } = await execa('bash', [SCRIPT, 'start', dir, String(port)]);
  agentSock = /^SSH_AUTH_SOCK=(.*)$/m.exec(stdout)![1]!;
  makeHome();
}, 120_000);

afterAll(async () => {
  await execa('bash', [SCRIPT, 'stop', dir], { reject: false });
  await Promise.all(made.map(removeContainer));
});

describe('an ssh:// engine', () => {
  // user@host:port, the key from the agent: as DOCKER_HOST=ssh://root@127.0.0.1:PORT would be used.
  const byAddress = () => ({ DOCKER_HOST: `ssh://root@127.0.0.1:${port}`, SSH_AUTH_SOCK: agentSock });

  it('stats, logs and events work through ssh, with nothing on stderr', async () => {
    const name = uniqueName('ssh');
    made.push(name);
    await runContainer({ name, cmd: 'for i in 1 2 3; do echo "line $i"; done; sleep 300' });
    await waitFor(async () => (await berthAtHome(['logs', name], byAddress())).stdout.includes('line 3'), 20_000, 200);

    const stats = await berthAtHome(['stats', '--no-stream', '--json', name], byAddress());
    expect(stats.stderr).toBe('');
    expect(stats.exitCode).toBe(0);
    const rec = JSON.parse(stats.stdout) as { type: string; name: string; memUsage: number; pids: number };
    expect(rec).toMatchObject({ type: 'stats', name });
    expect(rec.memUsage).toBeGreaterThan(0);
    expect(rec.pids).toBeGreaterThan(0);

    const logs = await berthAtHome(['logs', '--json', name], byAddress());
    expect(logs.stderr).toBe('');
    expect(
      logs.stdout
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['line 1', 'line 2', 'line 3']);

    const events = await berthAtHome(['events', '--json', '--since', '5m', '--until', '0s', '--filter', `container=${name}`], byAddress());
    expect(events.stderr).toBe('');
    expect(events.exitCode).toBe(0);
    expect(
      events.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { action: string }).action),
    ).toEqual(expect.arrayContaining(['create', 'start']));
  });

  it('a Host alias of ~/.ssh/config gives the address, port, user and key (no agent)', async () => {
    const name = uniqueName('ssh-alias');
    made.push(name);
    await runContainer({ name, cmd: 'echo via-alias; sleep 300' });
    const env = { DOCKER_HOST: `ssh://${ALIAS}` };
    await waitFor(async () => (await berthAtHome(['logs', name], env)).stdout.includes('via-alias'), 20_000, 200);
    const stats = await berthAtHome(['stats', '--no-stream', '--json', name], env);
    expect(stats.stderr).toBe('');
    expect(stats.exitCode).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ type: 'stats', name });
    // --host takes the alias too.
    const logs = await berthAtHome(['--host', `ssh://${ALIAS}`, 'logs', '--json', name], {});
    expect(logs.exitCode).toBe(0);
    expect((JSON.parse(logs.stdout.trim()) as { msg: string }).msg).toBe('via-alias');
  });

  it('without that config the alias is no host: an unreachable engine (exit 3) with what ssh said', async () => {
    // The real home of this user has no such alias: the config above was what made it work.
    const r = await execa('node', [BERTH_BIN, 'stats', '--no-stream', '--json', 'x'], { reject: false, env: { DOCKER_HOST: `ssh://${ALIAS}`, DOCKER_CONTEXT: '' } });
    expect(r.exitCode).toBe(3);
    expect(r.stderr, `what ssh said: ${r.stderr}`).toMatch(new RegExp(`^berth: cannot connect to the Docker engine at ssh://${ALIAS}: ssh exited with status 255: .*${ALIAS}`));
  });

  it("an unknown host key is refused, as ssh refuses it (known_hosts is the user's)", async () => {
    writeFileSync(join(home, '.ssh', 'known_hosts'), '');
    try {
      const r = await berthAtHome(['stats', '--no-stream', '--json', 'x'], byAddress());
      expect(r.exitCode).toBe(3);
      expect(r.stderr).toMatch(/ssh exited with status 255: .*Host key verification failed/);
    } finally {
      writeKnownHosts();
    }
  });

  it('a missing container is reported as not found, exit 4, as on a local engine', async () => {
    const r = await berthAtHome(['stats', '--no-stream', '--json', uniqueName('nope')], byAddress());
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toMatch(/^berth: .*no such container/i);
  });
});
