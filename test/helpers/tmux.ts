/**
 * Terminal views tested in a real terminal: tmux runs the command in a detached session of a fixed size
 * and the screen is read with capture-pane. tmux comes from scripts/setup-system.sh; a test fails when it
 * is missing.
 */
import { execa } from 'execa';
import { uniqueName } from './docker.js';
import { requireTool } from './tools.js';

/** Throws, naming the setup step, when tmux is not installed. */
export function ensureTmux(): void {
  requireTool('tmux');
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
