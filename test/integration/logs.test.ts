import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import type Docker from 'dockerode';
import { berth, BERTH_BIN, removeContainer, runContainer, uniqueName, waitFor } from '../helpers/docker.js';

const made: Docker.Container[] = [];
afterAll(async () => {
  await Promise.all(made.map(removeContainer));
});

/** Runs a container to completion and returns it. */
async function finished(cmd: string, opts: { tty?: boolean; name?: string } = {}): Promise<Docker.Container> {
  const c = await runContainer({ cmd, name: opts.name ?? uniqueName('logs'), tty: opts.tty });
  made.push(c);
  await c.wait();
  return c;
}

const json = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe('berth logs --format raw', () => {
  let mixed: Docker.Container;
  beforeAll(async () => {
    // stdout and stderr interleaved, CRLF, UTF-8, binary bytes, a final line without newline
    mixed = await finished(`echo out1; echo err1 >&2; printf 'crlf\\r\\n'; printf 'h\\303\\251llo \\342\\202\\254\\n' >&2; printf '\\377\\376\\000bin\\n'; echo err2 >&2; printf 'no newline'`);
  });

  it('is byte-identical to docker logs, stdout and stderr each', async () => {
    const ours = await berth(['logs', '--format', 'raw', mixed.id], { encoding: 'buffer', stripFinalNewline: false });
    const theirs = await execa('docker', ['logs', mixed.id], { encoding: 'buffer', stripFinalNewline: false });
    expect(ours.exitCode).toBe(0);
    expect(Buffer.compare(ours.stdout as Uint8Array, theirs.stdout as Uint8Array)).toBe(0);
    expect(Buffer.compare(ours.stderr as Uint8Array, theirs.stderr as Uint8Array)).toBe(0);
    expect((ours.stdout as Uint8Array).length).toBeGreaterThan(20);
    expect(Buffer.from(ours.stderr as Uint8Array).toString()).toBe('err1\nhéllo €\nerr2\n');
  });

  it('with -t equals docker logs -t', async () => {
    const ours = await berth(['logs', '--format', 'raw', '-t', mixed.id], { encoding: 'buffer', stripFinalNewline: false });
    const theirs = await execa('docker', ['logs', '-t', mixed.id], { encoding: 'buffer', stripFinalNewline: false });
    expect(Buffer.compare(ours.stdout as Uint8Array, theirs.stdout as Uint8Array)).toBe(0);
    expect(Buffer.compare(ours.stderr as Uint8Array, theirs.stderr as Uint8Array)).toBe(0);
  });

  it('decodes the same container into records, stream by stream', async () => {
    const res = await berth(['logs', '--json', mixed.id]);
    expect(res.exitCode).toBe(0);
    const recs = json(res.stdout);
    // stdout and stderr are read by separate engine copiers: each stream keeps its order, the merge follows the timestamps.
    const of = (stream: string) => recs.filter((r) => r.stream === stream).map((r) => r.msg);
    expect(of('stdout')).toEqual(['out1', 'crlf', '\ufffd\ufffd\u0000bin', 'no newline']);
    expect(of('stderr')).toEqual(['err1', 'héllo €', 'err2']);
    // each stream with the same times docker has (a container's own lines keep the engine's order)
    const d = await execa('docker', ['logs', '-t', mixed.id], { encoding: 'buffer' });
    const stamps = (b: Uint8Array) =>
      Buffer.from(b)
        .toString('latin1')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(0, 30));
    expect(recs.filter((r) => r.stream === 'stdout').map((r) => r.ts)).toEqual(stamps(d.stdout as Uint8Array));
    expect(recs.filter((r) => r.stream === 'stderr').map((r) => r.ts)).toEqual(stamps(d.stderr as Uint8Array));
    const info = await mixed.inspect();
    for (const r of recs) expect(r).toMatchObject({ type: 'log', id: info.Id, name: info.Name.slice(1), level: 'OTHER' });
  });
});

describe('berth logs decoding', () => {
  it('reads a TTY container (raw stream, CRLF) without timestamps leaking into messages', async () => {
    const c = await finished(`echo 'ERROR one'; echo two; printf 'thr\\342\\202\\254e\\n'`, { tty: true });
    const res = await berth(['logs', '--json', c.id]);
    expect(json(res.stdout).map((r) => [r.stream, r.level, r.msg])).toEqual([
      ['stdout', 'ERROR', 'ERROR one'],
      ['stdout', 'OTHER', 'two'],
      ['stdout', 'OTHER', 'thr€e'],
    ]);
  });

  it('reads a TTY line longer than the engine message size (16 KiB) whole', async () => {
    const c = await finished(`head -c 40000 /dev/zero | tr '\\0' a; echo; echo next`, { tty: true });
    const recs = json((await berth(['logs', '--json', c.id])).stdout);
    expect(recs.map((r) => r.msg.length)).toEqual([40000, 4]);
    expect(recs[0].msg).toBe('a'.repeat(40000));
  });

  it('keeps multi-byte characters the container printed in pieces', async () => {
    const c = await finished(`printf 'price \\342'; sleep 0.3; printf '\\202'; sleep 0.3; printf '\\254 5\\n'; printf '\\360\\237' >&2; sleep 0.3; printf '\\230\\200 ok\\n' >&2`);
    const recs = json((await berth(['logs', '--json', c.id])).stdout);
    expect(recs.map((r) => [r.stream, r.msg])).toEqual([
      ['stdout', 'price € 5'],
      ['stderr', '😀 ok'],
    ]);
  });

  it('joins a line the engine split into 16 KiB messages, as docker logs shows it', async () => {
    // 16383 bytes then 3-byte characters: the engine's 16 KiB split falls inside one of them
    // (json-file then stores U+FFFD for the cut bytes; berth must show what docker shows).
    const c = await finished(`head -c 16383 /dev/zero | tr '\\0' a; printf '\\342\\202\\254\\342\\202\\254 end\\n'; echo next`);
    const recs = json((await berth(['logs', '--json', c.id])).stdout);
    const theirs = (await execa('docker', ['logs', c.id])).stdout.split('\n');
    expect(recs.map((r) => r.msg)).toEqual(theirs);
    expect(recs).toHaveLength(2);
    expect(recs[0].msg.startsWith('a'.repeat(16383))).toBe(true);
    expect(recs[0].msg.endsWith('€ end')).toBe(true);
  });

  it('passes a 3 MB line whole, and cuts it with a marker under a smaller --max-line-bytes', async () => {
    const c = await finished(`head -c 3145728 /dev/zero | tr '\\0' x; echo; echo after`);
    const whole = json((await berth(['logs', '--json', c.id])).stdout);
    expect(whole.map((r) => r.msg.length)).toEqual([3145728, 5]);
    expect(whole[0].truncated).toBeUndefined();
    const cut = await berth(['logs', '--json', '--max-line-bytes', '1000', c.id]);
    expect(cut.exitCode, cut.stderr).toBe(0);
    const recs = json(cut.stdout);
    expect(recs.map((r) => [r.msg.length, r.truncated])).toEqual([
      [1000, true],
      [5, undefined],
    ]);
    const table = await berth(['logs', '--format', 'table', '--max-line-bytes', '1000', c.id]);
    expect(table.stdout.split('\n')[0]).toMatch(/x{1000} \[line cut: longer than the line bound\]$/);
  });
});

describe('berth logs selection and merge', () => {
  it("merges several containers in the order of docker's own timestamps, interleaved where they ran at once", async () => {
    // Both begin at one wall-clock second (however far apart a loaded engine starts them), B 0.1 s after A.
    const at = Math.floor(Date.now() / 1000) + 4;
    const script = (tag: string, first: number) => `while [ $(date +%s) -lt ${at} ]; do sleep 0.05; done; sleep ${first}; for i in 1 2 3 4 5; do echo "${tag} $i"; sleep 0.2; done`;
    const [a, b] = await Promise.all([runContainer({ cmd: script('A', 0), name: uniqueName('ma') }), runContainer({ cmd: script('B', 0.1), name: uniqueName('mb') })]);
    made.push(a, b);
    await Promise.all([a.wait(), b.wait()]);
    const res = await berth(['logs', '--json', a.id, b.id]);
    const recs = json(res.stdout);
    expect(recs).toHaveLength(10);
    const tss = recs.map((r) => r.ts);
    expect([...tss].sort()).toEqual(tss);
    // The oracle: both containers' `docker logs -t`, merged by docker's own timestamps, is exactly berth's output,
    // so where the two ran at once (the common case: both start at one wall-clock second) the lines interleave.
    const theirs: Array<[string, string, string]> = [];
    for (const c of [a, b]) {
      const d = await execa('docker', ['logs', '-t', c.id]);
      const info = await c.inspect();
      for (const l of d.stdout.trim().split('\n')) theirs.push([l.slice(0, 30), info.Id, l.slice(31)]);
    }
    theirs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    expect(recs.map((r) => [r.ts, r.id, r.msg])).toEqual(theirs);
  });

  it('reads a dozen containers at once with nothing on stderr', async () => {
    const cs = await Promise.all(Array.from({ length: 12 }, (_, i) => runContainer({ name: uniqueName(`many${i}`), cmd: `echo "from ${i}"` })));
    made.push(...cs);
    await Promise.all(cs.map((c) => c.wait()));
    const res = await berth(['logs', '--json', ...cs.map((c) => c.id)]);
    expect(res.exitCode).toBe(0);
    expect(res.stderr).toBe('');
    expect(
      json(res.stdout)
        .map((r) => r.msg)
        .sort(),
    ).toEqual(Array.from({ length: 12 }, (_, i) => `from ${i}`).sort());
  });

  it('agrees with docker logs on --since, --until and --tail', async () => {
    const c = await finished('for i in $(seq 1 30); do echo "line $i"; sleep 0.03; done');
    const all = (await execa('docker', ['logs', '-t', c.id])).stdout.trim().split('\n');
    expect(all).toHaveLength(30);
    const since = all[9]!.slice(0, 30);
    const until = all[20]!.slice(0, 30);
    for (const args of [
      ['--since', since],
      ['--until', until],
      ['--since', since, '--until', until],
      ['--tail', '5'],
      ['--tail', '0'],
      ['--since', since, '--tail', '3'],
    ]) {
      // The three readings of one selection side by side: 18 processes one after another outlasted the
      // test's minute on a loaded machine.
      const [theirs, ours, asJson] = await Promise.all([
        execa('docker', ['logs', ...args, c.id]).then((r) => r.stdout),
        berth(['logs', '--format', 'raw', '--no-prefix', ...args, c.id]),
        berth(['logs', '--json', ...args, c.id]),
      ]);
      expect(ours.exitCode, args.join(' ')).toBe(0);
      expect(ours.stdout, args.join(' ')).toBe(theirs);
      expect(
        json(asJson.stdout)
          .map((r) => r.msg)
          .join('\n'),
        args.join(' '),
      ).toBe(theirs);
    }
  }, 150_000); // 18 processes: on a machine running three suites' worth of work it took 76 s (the default is 60)

  it('selects by --filter and filters lines by --level, --grep and --exclude', async () => {
    const tag = uniqueName('sel');
    const c = await runContainer({
      name: uniqueName('lvl'),
      labels: { 'berth.logs.sel': tag },
      cmd: `echo 'DEBUG d'; echo 'INFO i'; echo 'WARN w health'; echo 'ERROR e'; echo plain; sleep 30`,
    });
    made.push(c);
    const base = ['logs', '--json', '--filter', `label=berth.logs.sel=${tag}`];
    const msgs = async (...extra: string[]) => {
      const res = await berth([...base, ...extra]);
      expect(res.exitCode).toBe(0);
      return json(res.stdout).map((r) => r.msg);
    };
    await expect.poll(() => msgs(), { timeout: 15_000 }).toHaveLength(5);
    expect(await msgs('--level', 'warn')).toEqual(['WARN w health', 'ERROR e']);
    expect(await msgs('--level', 'debug')).toEqual(['DEBUG d', 'INFO i', 'WARN w health', 'ERROR e']);
    expect(await msgs('--grep', '^[A-Z]+ [we]')).toEqual(['WARN w health', 'ERROR e']);
    expect(await msgs('--exclude', 'health|plain')).toEqual(['DEBUG d', 'INFO i', 'ERROR e']);
    const withSummary = await berth([...base, '--summary']);
    expect(withSummary.exitCode, withSummary.stderr).toBe(0);
    const sum = json(withSummary.stdout).filter((r) => r.type === 'summary');
    expect(sum).toHaveLength(2);
    expect(sum[0]).toMatchObject({ scope: 'container', lines: 5, counts: { ERROR: 1, WARN: 1, INFO: 1, DEBUG: 1, OTHER: 1 } });
    expect(sum[1]).toMatchObject({ scope: 'all', lines: 5 });
    expect(sum[1].series.reduce((n: number, b: { ERROR: number }) => n + b.ERROR, 0)).toBe(1);
  });

  it('--summary counts a selected container that wrote nothing, and goes to stderr with --format raw', async () => {
    const [a, b] = await Promise.all([finished('echo ERROR a; echo b'), finished('true')]);
    const res = await berth(['logs', '--json', '--summary', a.id, b.id]);
    expect(res.exitCode, res.stderr).toBe(0);
    const sums = json(res.stdout).filter((r) => r.type === 'summary');
    expect(sums.map((r) => [r.scope, r.id ?? null, r.lines]).sort()).toEqual(
      [
        ['all', null, 2],
        ['container', a.id, 2],
        ['container', b.id, 0],
      ].sort(),
    );
    const raw = await berth(['logs', '--format', 'raw', '--summary', a.id]);
    expect(raw.stdout).toBe('ERROR a\nb');
    expect(raw.stderr).toMatch(/CONTAINER[\s\S]*ERROR/);
  });
});

describe('berth logs errors and pipes', () => {
  it('reports a container whose logs cannot be read and still shows the others', async () => {
    const none = await runContainer({ name: uniqueName('nolog'), cmd: 'echo hidden; sleep 30', host: { LogConfig: { Type: 'none', Config: {} } } });
    const ok = await runContainer({ name: uniqueName('withlog'), cmd: 'echo shown; sleep 30' });
    made.push(none, ok);
    const names = await Promise.all([none.inspect(), ok.inspect()]).then((is) => is.map((i) => i.Name.slice(1)));
    const res = await waitFor(async () => {
      const r = await berth(['logs', '--json', ...names]);
      return r.stdout.includes('shown') && r;
    });
    // the others' lines flow; the exit code says one could not be read, as docker logs' would
    expect(res.exitCode).toBe(1);
    expect(json(res.stdout).map((r) => r.msg)).toEqual(['shown']);
    expect(res.stderr).toBe(`berth: logs of ${names[0]}: engine error (501): configured logging driver does not support reading`);
    for (const format of ['json', 'raw']) {
      const one = await berth(['logs', '--format', format, names[0]!]);
      expect(one.exitCode, format).toBe(1);
      expect(one.stdout, format).toBe('');
    }
    const tpl = await berth(['templates', names[0]!]);
    expect(tpl.exitCode).toBe(1);
  });

  it("takes a name with docker's leading slash, and refuses one with any other slash as not found", async () => {
    const c = await finished('echo slashed');
    const name = (await c.inspect()).Name; // "/logs-…"
    const res = await berth(['logs', '--json', name]);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(json(res.stdout).map((r) => r.msg)).toEqual(['slashed']);
    const odd = await berth(['logs', `${name.slice(1)}/../x`]);
    expect(odd.exitCode).toBe(4);
    expect(odd.stderr.split('\n')[0]).toBe(`berth: no such container: ${name.slice(1)}/../x`);
  });

  it('exits 4 for a --project no container carries, 0 with a message for a selection that is merely empty', async () => {
    const project = uniqueName('no-such-project');
    for (const args of [['logs'], ['templates'], ['stats', '--no-stream']]) {
      const res = await berth([...args, '--project', project]);
      expect(res.exitCode, args.join(' ')).toBe(4);
      expect(res.stderr.split('\n')[0], args.join(' ')).toBe(`berth: no containers in project "${project}"`);
      const empty = await berth([...args, '--filter', `label=berth.no-such-label=${project}`]);
      expect(empty.exitCode, args.join(' ')).toBe(0);
      expect(empty.stderr, args.join(' ')).toBe('berth: no containers match the selection');
      const bad = await berth([...args, '--filter', 'nosuchkey=1']);
      expect(bad.exitCode, args.join(' ')).toBe(2); // a filter the engine refuses is a bad flag value
      expect(bad.stderr, args.join(' ')).toBe("berth: --filter: Invalid filter 'nosuchkey'");
    }
  });

  it('names a missing container (exit 4)', async () => {
    const res = await berth(['logs', 'berth-test-no-such-container-xyz']);
    expect(res.exitCode).toBe(4);
    expect(res.stderr.trim().split('\n')[0]).toBe('berth: no such container: berth-test-no-such-container-xyz');
  });

  it.each([
    [['--tail', 'ten'], /^berth: --tail: expected a whole number \(got: "ten"\)$/],
    [['--since', 'yesterday'], /^berth: --since: expected a duration/],
    [['--level', 'loud'], /^berth: --level: expected one of error, warn, info, debug, other/],
    [['--grep', '('], /^berth: --grep: not a valid regular expression/],
    [['--reorder-window', 'soon'], /^berth: --reorder-window: expected a duration/],
  ])('rejects %j with one line naming the flag (exit 2)', async (args, re) => {
    const res = await berth(['logs', ...args, 'x']);
    expect(res.exitCode, res.stderr).toBe(2);
    expect(res.stderr.trim()).toMatch(re);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('ends quietly with exit 0 when the reader closes the pipe', async () => {
    const c = await finished('seq 1 200000');
    for (const fmt of ['json', 'raw']) {
      const res = await execa('bash', ['-o', 'pipefail', '-c', `node ${BERTH_BIN} logs --format ${fmt} ${c.id} | head -2`], { reject: false, timeout: 60_000 });
      expect(res.exitCode, fmt).toBe(0);
      expect(res.stderr, fmt).toBe('');
      expect(res.stdout.split('\n'), fmt).toHaveLength(2);
    }
  });
});
