// The live map in a real terminal: tmux runs `berth topology` in a detached
// session of a fixed size and we read the screen with capture-pane.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { capture, ensureTmux, TmuxSessions } from '../helpers/tmux.js';

const project = uniqueName('tty').replace(/-/g, '');
const made: string[] = [];
const tmuxSessions = new TmuxSessions();
const session = (script: string) => tmuxSessions.session(script);
beforeAll(async () => {
  ensureTmux();
  const labels = (service: string, extra: Record<string, string> = {}) => ({ 'com.docker.compose.project': project, 'com.docker.compose.service': service, ...extra });
  for (const [svc, extra] of [
    ['server', {}],
    ['client', { 'com.docker.compose.depends_on': 'server:service_started:false' }],
  ] as const) {
    const c = await runContainer({ name: `${project}-${svc}-1`, labels: labels(svc, extra), cmd: 'exec sleep 3600' });
    made.push(c.id);
  }
}, 240_000);

afterAll(async () => {
  await tmuxSessions.killSessions();
  await Promise.all(made.map(removeContainer));
});

const edgeLine = (screen: string, to: string) => screen.split('\n').find((l) => l.includes(`▶ ${to}`));
const berthCmd = `node ${BERTH_BIN} topology --project ${project}`;

describe('berth topology in a terminal (tmux)', () => {
  it('shows the exact count as a badge (6+ above six), dots on the edge, and the legend; restores the terminal on Ctrl-C', async () => {
    const input = '{"from":"client","to":"server","count":3}\\n{"edge":"client->worker","count":9}\\n';
    const s = await session(`printf '${input}' | ${berthCmd} --interval 3s; echo "exit=$?"; exec sleep 120`);
    const screen = await waitFor(
      async () => {
        const text = await capture(s);
        return edgeLine(text, 'server')?.includes('[3]') && edgeLine(text, 'worker')?.includes('[6+]') ? text : undefined;
      },
      30_000,
      150,
    );
    expect(screen).toContain('● = real event since last tick');
    expect(screen).toMatch(/^berth topology {2}project \S+ {2}tick 1 \(3s\) {2}engine up/m);
    expect(edgeLine(screen, 'server')).toMatch(/^client [─●]+▶ server \[3\] depends_on$/);
    expect(edgeLine(screen, 'worker')).toMatch(/^client [─●]+▶ worker \[6\+\] input$/);
    // during the tick the dots travel: some capture shows them on the edge
    await waitFor(async () => (edgeLine(await capture(s), 'worker') ?? '').includes('●'), 3_000, 50);
    // the next tick had no events: badges and dots are gone
    const quiet = await waitFor(
      async () => {
        const text = await capture(s);
        return /tick 2 /.test(text) ? text : undefined;
      },
      15_000,
      150,
    );
    expect(edgeLine(quiet, 'server')).toMatch(/^client ─+▶ server depends_on$/);
    expect(edgeLine(quiet, 'worker')).toMatch(/^client ─+▶ worker input$/);

    await execa('tmux', ['send-keys', '-t', s, 'C-c']);
    const after = await waitFor(
      async () => {
        const text = await capture(s);
        return text.includes('exit=') ? text : undefined;
      },
      15_000,
      150,
    );
    expect(after).toContain('exit=130');
    expect(after).not.toContain('berth topology'); // the map was on the alternate screen, which is gone
    const { stdout: flags } = await execa('tmux', ['display', '-p', '-t', s, '#{alternate_on} #{cursor_flag}']);
    expect(flags).toBe('0 1'); // main screen back, cursor shown
  }, 90_000);

  it('an idle project shows its map with no dots and no badges', async () => {
    const s = await session(`${berthCmd} --interval 1s; exec sleep 120`);
    await waitFor(async () => /tick 2 /.test(await capture(s)), 15_000, 150);
    // every frame up to tick 5 (three more ticks of 1 s), read every 100 ms
    const tick = (text: string) => Number(/tick (\d+) /.exec(text)?.[1] ?? 0);
    const end = Date.now() + 30_000;
    let frames = 0;
    let seen = 2;
    while (seen < 5 && Date.now() < end) {
      const text = await capture(s);
      seen = tick(text);
      const lines = text.split('\n').filter((l) => !l.includes('= real event since last tick'));
      expect(lines.join('\n')).not.toContain('●');
      expect(lines.join('\n')).not.toMatch(/\[\d/);
      expect(edgeLine(text, 'server')).toMatch(/^client ─+▶ server depends_on$/);
      frames++;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toBeGreaterThanOrEqual(5);
    expect(frames).toBeGreaterThan(5);
    const text = await capture(s);
    expect(text).toContain('● = real event since last tick');
    expect(text).toMatch(/│ client +│/);
    expect(text).toMatch(/│ server +│/);
  }, 60_000);
});
