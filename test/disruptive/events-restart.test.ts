// Runs only when the test setup started the engine itself (always in CI): kills and restarts it.
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BERTH_BIN, docker, engineOwned, engineScript, removeContainer, runContainer, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

describe.runIf(engineOwned())('berth events across an engine restart', () => {
  it('survives SIGKILL of dockerd and prints a container made right after the restart exactly once', async () => {
    // From a second ago: the container made next is printed however soon berth subscribes.
    const since = ((Date.now() - 1000) / 1000).toFixed(3);
    const child = execa('node', [BERTH_BIN, 'events', '--json', '--filter', 'type=container', '--since', since], { reject: false });
    const out = new LineCollector(child.stdout!);
    const stderr: string[] = [];
    child.stderr!.on('data', (d) => stderr.push(String(d)));
    const before = await runContainer({ name: uniqueName('pre'), cmd: 'true' });
    await out.until((ls) => ls.some((l) => l.line.includes(before.id) && l.line.includes('"start"')));

    await engineScript('kill');
    await engineScript('start');
    const name = uniqueName('post');
    const after = await runContainer({ name, cmd: 'true' });
    await after.wait();
    await out.until((ls) => ls.some((l) => l.line.includes(after.id) && l.line.includes('"die"')), 60_000);
    // A later record before judging: a container made after it, printed; a duplicate would have come before it.
    const later = await runContainer({ name: uniqueName('later'), cmd: 'true' });
    await later.wait();
    await out.until((ls) => ls.some((l) => l.line.includes(later.id) && l.line.includes('"die"')), 60_000);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);

    const recs = out.json<{ id: string; action: string; ts: string }>();
    const mine = recs.filter((r) => r.id === after.id).map((r) => r.action);
    expect(mine.filter((a) => a === 'create')).toHaveLength(1);
    expect(mine.filter((a) => a === 'start')).toHaveLength(1);
    expect(mine.filter((a) => a === 'die')).toHaveLength(1);
    // no record printed twice at all
    const keys = recs.map((r) => `${r.id} ${r.action} ${r.ts}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(stderr.join('')).toMatch(/lost the engine's event stream/);
    expect(stderr.join('')).toMatch(/reconnected to the engine/);
    await removeContainer(before);
    await removeContainer(after);
    await removeContainer(later);
    void docker;
  });
});
