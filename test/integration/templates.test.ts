import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { berth, BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-templates-'));
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
  rmSync(dir, { recursive: true, force: true });
});

const json = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
/** Bytes in a process's stdin FIFO it has not read yet: FIONREAD (0x541B) on the FIFO, opened through /proc (perl-base is on every Debian). */
async function unread(pid: number): Promise<number> {
  const perl = 'open(my $f, "<", $ARGV[0]) or die "$!"; my $n = pack("L", 0); ioctl($f, 0x541B, $n) or die "$!"; print unpack("L", $n)';
  return Number((await execa('perl', ['-e', perl, `/proc/${pid}/fd/0`])).stdout);
}

const core = (r: Record<string, unknown>) => ({ templateId: r.templateId, template: r.template, count: r.count, levels: r.levels });

const TEXT = [
  '2026-01-02T10:00:00Z INFO user 17 logged in from 10.0.0.1',
  '2026-01-02T10:00:01Z INFO user 18 logged in from 10.0.0.2',
  '2026-01-02T10:00:02Z ERROR disk /dev/sda1 is 97% full',
  '2026-01-02T10:00:03Z INFO user 19 logged in from 10.0.0.3',
  '2026-01-02T10:00:04Z WARN request took 1200 ms',
].join('\n');

describe('berth templates: stdin', () => {
  it('text lines: templates by count with share, levels and the first line as example', async () => {
    const r = await berth(['templates', '--json'], { input: TEXT + '\n' });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const recs = json(r.stdout);
    expect(recs.map((x) => [x.templateId, x.template, x.count, x.share, x.levels, x.new])).toEqual([
      [1, 'user <*> logged in from <*>', 3, 0.6, { INFO: 3 }, true],
      [2, 'disk <*> is <*> full', 1, 0.2, { ERROR: 1 }, true],
      [3, 'request took <*>', 1, 0.2, { WARN: 1 }, true],
    ]);
    expect(recs[0]).toMatchObject({ type: 'template', example: '2026-01-02T10:00:00Z INFO user 17 logged in from 10.0.0.1' });
    expect(recs[0].firstTs).toBeUndefined();
  });

  it('--annotate: every line in input order with its template; a malformed JSON line is text, reported once', async () => {
    const input = [
      '{"type":"log","ts":"2026-01-02T10:00:00.000000000Z","name":"web","level":"INFO","msg":"job 1 done"}',
      '{not json',
      '{"type":"log","name":"web","msg":"job 2 done"}',
      'plain job 3 done',
    ].join('\n');
    const r = await berth(['templates', '--annotate'], { input });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^berth: line 2: not valid JSON .*; clustered as text$/);
    const recs = json(r.stdout);
    expect(recs).toHaveLength(4);
    expect(recs[0]).toEqual({ type: 'log', ts: '2026-01-02T10:00:00.000000000Z', name: 'web', level: 'INFO', msg: 'job 1 done', templateId: 1, template: 'job <*> done' });
    expect(recs[1]).toEqual({ msg: '{not json', templateId: 2, template: '{not json' });
    expect(recs[2]).toMatchObject({ templateId: 1 });
    expect(recs[3]).toEqual({ msg: 'plain job 3 done', templateId: 3, template: 'plain job <*> done' });
  });

  it('--state keeps ids across runs and marks only new templates new; the file is replaced atomically', async () => {
    const state = join(dir, 'state.json');
    const first = await berth(['templates', '--json', '--state', state], { input: TEXT });
    expect(first.exitCode).toBe(0);
    const second = await berth(['templates', '--json', '--state', state], { input: 'INFO user 20 logged in from 10.0.0.9\nbackup finished in 3 s\n' });
    expect(second.exitCode).toBe(0);
    const recs = json(second.stdout);
    const byTemplate = Object.fromEntries(recs.map((x) => [x.template, x]));
    expect(byTemplate['user <*> logged in from <*>']).toMatchObject({ templateId: 1, count: 4 });
    expect(byTemplate['user <*> logged in from <*>'].new).toBeUndefined();
    expect(byTemplate['backup finished in <*>']).toMatchObject({ templateId: 4, count: 1, new: true });
    // only what this run saw is printed; the templates it did not see stay in the file
    expect(recs.map((x) => x.templateId).sort()).toEqual([1, 4]);
    const saved = JSON.parse(readFileSync(state, 'utf8'));
    expect(saved).toMatchObject({ berthTemplates: 1, nextId: 5 });
    expect(saved.templates).toHaveLength(4);
  });

  it('--state: an empty file is a fresh start; a directory that cannot be written is refused before any input is read', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    const r = await berth(['templates', '--json', '--state', empty], { input: 'job 1 done\n' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(json(r.stdout)).toHaveLength(1);
    expect(JSON.parse(readFileSync(empty, 'utf8')).templates).toHaveLength(1);
    const bad = await berth(['templates', '--json', '--state', join(dir, 'no-such-dir', 'x.json')], { input: 'job 1 done\n' });
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe(`berth: --state: cannot save ${join(dir, 'no-such-dir', 'x.json')}: its directory is not writable (ENOENT)`);
  });

  it('checks --tail, --since and --until even when it reads stdin (exit 2), and takes --tail -1 as all', async () => {
    const tail = await berth(['templates', '--tail', 'abc'], { input: 'job 1 done\n' });
    expect([tail.exitCode, tail.stderr]).toEqual([2, 'berth: --tail: expected a whole number (got: "abc")']);
    const since = await berth(['templates', '--since', 'yesterday'], { input: 'job 1 done\n' });
    expect(since.exitCode).toBe(2);
    expect(since.stderr).toMatch(/^berth: --since: expected a duration/);
    expect((await berth(['templates', '--json', '--tail', '-1'], { input: 'job 1 done\n' })).exitCode).toBe(0);
  });

  it('empty input prints nothing and exits 0', async () => {
    const r = await berth(['templates', '--json'], { input: '' });
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('--follow on stdin: changed templates every --interval (arrival times), and --state saved at each tick', async () => {
    const state = join(dir, 'follow.json');
    const child = execa('node', [BERTH_BIN, 'templates', '--follow', '--interval', '300ms', '--json', '--state', state], { reject: false });
    const out = new LineCollector(child.stdout!);
    child.stdin!.write('job 1 done\n');
    await out.until((ls) => ls.length >= 1, 30_000);
    const saved = await waitFor(() => existsSync(state) && JSON.parse(readFileSync(state, 'utf8')), 30_000);
    expect(saved.templates.map((t: { tokens: string[]; count: number }) => [t.tokens.join(' '), t.count])).toEqual([['job <*> done', 1]]);
    child.stdin!.end('job 2 done\n');
    const res = await child;
    expect(res.exitCode).toBe(0);
    const recs = out.json();
    expect(recs[0]).toMatchObject({ templateId: 1, template: 'job <*> done', count: 1, new: true });
    expect(recs[0].firstTs).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(recs.at(-1)).toMatchObject({ templateId: 1, count: 2 });
    expect(recs.at(-1).new).toBeUndefined();
  });

  it('bad flags are usage errors naming the flag', async () => {
    const r = await berth(['templates', '--similarity', '2'], { input: '' });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('berth: --similarity: expected a number from 0 to 1 (got: "2")');
    const m = await berth(['templates', '--max-templates', '0'], { input: '' });
    expect(m.stderr).toBe('berth: --max-templates: expected a number >= 1 (got: 0)');
  });

  it('--max-templates bounds memory and says how many were evicted', async () => {
    const input = Array.from({ length: 50 }, (_, i) => `event${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} happened`).join('\n');
    const r = await berth(['templates', '--json', '--max-templates', '10'], { input });
    expect(json(r.stdout)).toHaveLength(10);
    expect(r.stderr).toBe('berth: --max-templates 10: evicted 40 least recently matched templates');
  });

  it('| head -1 ends quietly with exit 0; Ctrl-C on an open stdin exits 130 and still saves --state', async () => {
    const big = Array.from({ length: 200_000 }, (_, i) => `line ${i} of many`).join('\n');
    const h = await execa('bash', ['-o', 'pipefail', '-c', `node ${BERTH_BIN} templates --annotate | head -1`], { input: big, reject: false, timeout: 60_000 });
    expect(h.exitCode).toBe(0);
    expect(h.stderr).toBe('');
    const state = join(dir, 'interrupted.json');
    // stdin is a FIFO (node's own pipes are socket pairs, which FIONREAD cannot read through /proc)
    const fifo = join(dir, 'stdin.fifo');
    await execa('mkfifo', [fifo]);
    const child = execa('sh', ['-c', `exec node ${BERTH_BIN} templates --json --state ${state} < ${fifo}`], { reject: false });
    const input = await open(fifo, 'w');
    const res = await (async () => {
      try {
        await input.write('service 1 started\nservice 2 started\n');
        await waitFor(async () => (await unread(child.pid!)) === 0, 30_000, 100); // read by berth
        child.kill('SIGINT');
        return await child;
      } finally {
        await input.close(); // stdin stays open until berth has exited
      }
    })();
    expect(res.exitCode).toBe(130);
    expect(res.stderr).toBe('');
    expect(json(res.stdout).map(core)).toEqual([{ templateId: 1, template: 'service <*> started', count: 2, levels: { OTHER: 2 } }]);
    expect(JSON.parse(readFileSync(state, 'utf8')).templates).toHaveLength(1);
  });
});

describe('berth templates: containers', () => {
  let name = '';
  beforeAll(async () => {
    name = uniqueName('tpl');
    const script = 'for i in 1 2 3 4 5 6; do echo "2026-01-02 10:00:0$i INFO worker $i finished job in $((i*10)) ms"; echo "ERROR cannot open /data/file$i.txt"; done; echo "ready"';
    const c = await runContainer({ name, cmd: script });
    made.push(name);
    await c.wait();
  });

  it('`berth logs X --json | berth templates` and `berth templates X` give the same templates', async () => {
    const direct = await berth(['templates', name, '--json']);
    expect(direct.exitCode).toBe(0);
    const piped = await execa('bash', ['-o', 'pipefail', '-c', `node ${BERTH_BIN} logs ${name} --json | node ${BERTH_BIN} templates --json`], { reject: false });
    expect(piped.exitCode).toBe(0);
    const a = json(direct.stdout);
    const b = json(piped.stdout);
    expect(a.map(core)).toEqual([
      { templateId: 1, template: 'worker <*> finished job in <*>', count: 6, levels: { INFO: 6 } },
      { templateId: 2, template: 'cannot open <*>', count: 6, levels: { ERROR: 6 } },
      { templateId: 3, template: 'ready', count: 1, levels: { OTHER: 1 } },
    ]);
    expect(b.map(core)).toEqual(a.map(core));
    expect(b.map((r) => [r.name, r.id, r.firstTs, r.lastTs])).toEqual(a.map((r) => [r.name, r.id, r.firstTs, r.lastTs]));
    expect(a[0].name).toBe(name);
    expect(a[0].firstTs < a[0].lastTs).toBe(true);
    const annotated = await berth(['templates', name, '--annotate']);
    const annotatedPiped = await execa('bash', ['-c', `node ${BERTH_BIN} logs ${name} --json | node ${BERTH_BIN} templates --annotate`]);
    expect(json(annotated.stdout)).toEqual(json(annotatedPiped.stdout));
    expect(json(annotated.stdout)).toHaveLength(13);
  });

  it('--follow prints new templates (new:true) as they appear, every --interval', async () => {
    const live = uniqueName('tplf');
    const c = await runContainer({ name: live, cmd: 'echo "boot 1 ok"; sleep 2; echo "cache 7 warmed"; sleep 300' });
    made.push(live);
    const child = execa('node', [BERTH_BIN, 'templates', live, '--follow', '--interval', '500ms', '--json'], { reject: false });
    const out = new LineCollector(child.stdout!);
    await out.until((ls) => ls.some((l) => l.line.includes('cache <*> warmed')), 30_000);
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode).toBe(130);
    const recs = out.json();
    const boot = recs.filter((r) => r.template === 'boot <*> ok');
    expect(boot[0]).toMatchObject({ count: 1, new: true, name: live });
    expect(recs.find((r) => r.template === 'cache <*> warmed')).toMatchObject({ count: 1, new: true });
    expect(boot.length).toBe(1); // unchanged templates are not repeated
    await c.kill().catch(() => {});
    await waitFor(async () => !(await c.inspect()).State.Running);
  });
});
