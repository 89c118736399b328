// `berth stats` on a terminal: the live table in a real terminal (tmux), redrawn in place, the terminal
// restored on Ctrl-C. Its table and colour modules are loaded only for this view, so this also checks they load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { capture, ensureTmux, TmuxSessions } from '../helpers/tmux.js';

const made: string[] = [];
const sessions = new TmuxSessions();
beforeAll(() => ensureTmux());

afterAll(async () => {
  await sessions.killSessions();
  await Promise.all(made.map(removeContainer));
});

describe('berth stats in a terminal (tmux)', () => {
  it('shows the live table with the container and its numbers; Ctrl-C exits 130 with the cursor shown again', async () => {
    const name = uniqueName('stty');
    made.push(name);
    await runContainer({ name, cmd: 'exec sleep 3600' });
    const s = await sessions.session(`node ${BERTH_BIN} stats ${name}; echo "exit=$?"; exec sleep 120`, 140, 20);
    // The first sample has no CPU% yet ("--"): wait for the second, which has every number and sparkline.
    const row = new RegExp(`^${name} +\\d+\\.\\d\\d% +\\S+ / \\S+ +\\d+\\.\\d\\d% +(\\S+/s +){4}1 +[▁-█]+ +[▁-█]+ +[▁-█]+$`, 'm');
    const screen = await waitFor(
      async () => {
        const text = await capture(s);
        return row.test(text) ? text : undefined;
      },
      20_000,
      150,
    );
    // The table, then (140 columns leave room) the sparklines of CPU, memory and network.
    expect(screen).toMatch(/^NAME +CPU % +MEM USAGE \/ LIMIT +MEM % +NET RX\/s +NET TX\/s +BLOCK R\/s +BLOCK W\/s +PIDS +CPU +MEM +NET$/m);
    expect(screen).toMatch(row);
    await execa('tmux', ['send-keys', '-t', s, 'C-c']);
    await waitFor(async () => (await capture(s)).includes('exit=130'), 10_000, 100);
    const { stdout: cursor } = await execa('tmux', ['display', '-p', '-t', s, '#{cursor_flag}']);
    expect(cursor.trim()).toBe('1');
  });
});
