/**
 * Terminal views tested in a real terminal: tmux runs the command in a detached session of a fixed size
 * and the screen is read with capture-pane. tmux is installed with apt when missing (as root).
 */
import { execa } from 'execa';
import { uniqueName } from './docker.js';

/** True when tmux is there or could be installed. */
export async function ensureTmux(): Promise<boolean> {
  if ((await execa('tmux', ['-V'], { reject: false })).exitCode === 0) return true;
  if (process.getuid?.() !== 0) return false;
  const res = await execa('apt-get', ['install', '-y', '-qq', 'tmux'], { reject: false, timeout: 180_000, env: { DEBIAN_FRONTEND: 'noninteractive' } });
  return res.exitCode === 0;
}

/** Sessions started by `session`, each killed by `killSessions`. */
export class TmuxSessions {
  private readonly names: string[] = [];

  /** Starts `script` (bash) in a new detached session of `columns` x `rows`; returns its name. */
  async session(script: string, columns = 110, rows = 36): Promise<string> {
    const name = uniqueName('tmux');
    this.names.push(name);
    await execa('tmux', ['new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), 'bash', '-c', script]);
    return name;
  }

  async killSessions(): Promise<void> {
    for (const s of this.names.splice(0)) await execa('tmux', ['kill-session', '-t', s], { reject: false });
  }
}

export const capture = async (s: string) => (await execa('tmux', ['capture-pane', '-p', '-t', s])).stdout;
