/**
 * The oracle harness: a seeded generator drives the real engine (bursts of 20 concurrent containers,
 * half of them `run --rm`; long-lived writers joining the project; restarts; rm -f; lines of random
 * length, some > 16 KiB, some not UTF-8) while `berth events --json`, `berth logs -f --json --project P`
 * and `berth stats --json --project P` run. Afterwards it compares with what docker reports:
 *
 * - events: `docker events` run live beside berth with the same label filter (the engine keeps only
 *   its last 256 events for --since, too few to replay a run on a shared engine), over the window where
 *   both were surely subscribed: every docker event appears in berth exactly once, and nothing else;
 * - logs: `docker logs -t` of every container that still exists at the end (the writers, stopped
 *   first so nothing is written after berth stops; the burst containers not made with --rm): every
 *   line appears in berth exactly once and nothing else. Of containers the engine no longer has, every
 *   line berth printed is one the generator wrote, none twice; how many were read is reported;
 * - the removal line: each of the harness's containers destroyed while followed gets exactly one
 *   "was removed" line on logs' stderr;
 * - stats: records only for the harness's containers; each writer running > 3 s was sampled.
 *
 * The engine is a parameter (OracleEngine): docker here (oracle.test.ts), Podman with its own CLI as the
 * oracle (test/podman/oracle.test.ts). The seed is printed on failure.
 */
import { expect } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import type Docker from 'dockerode';
import { BERTH_BIN, docker, removeContainer, TEST_IMAGE, testLabels, uniqueName } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { nanosToRfc3339 } from '../../src/core/parse.js';
import { expectedLine, padding, pick, rng, writerScript } from './generator.js';

const PROJECT = 'com.docker.compose.project';
const SERVICE = 'com.docker.compose.service';

/** An engine the harness drives, and its own CLI as the oracle. */
export interface OracleEngine {
  name: string;
  client: Docker;
  image: string;
  /** Containers made in a burst. */
  burst: number;
  /** berth's global options to reach the engine, and its environment. */
  berthArgs: string[];
  berthEnv?: Record<string, string>;
  /** The engine's CLI following events live, filtered by a label (KEY=VALUE). */
  eventsCommand(label: string): [string, string[]];
  /** One line of that CLI's output: the container, the action in docker's name, the time in ns. */
  parseEvent(line: string): { id: string; action: string; ns: bigint };
  /** The engine's CLI's logs of a container, each line "TS STREAM MSG" with TS as berth prints it. */
  logs(id: string): Promise<string[]>;
  remove(id: string): Promise<void>;
  /** How to re-run one seed, printed on failure. */
  rerun(seed: number): string;
}

/** The docker engine at the default socket, with the docker CLI as the oracle. */
export const dockerEngine: OracleEngine = {
  name: 'docker',
  client: docker,
  image: TEST_IMAGE,
  burst: 20,
  berthArgs: [],
  eventsCommand: (label) => ['docker', ['events', '--format', '{{json .}}', '--filter', `label=${label}`]],
  parseEvent: (line) => {
    const e = JSON.parse(line) as { Action: string; Actor: { ID: string } };
    return { id: e.Actor.ID, action: e.Action, ns: BigInt(/"timeNano":(\d+)/.exec(line)![1]!) };
  },
  logs: dockerLogs,
  remove: (id) => removeContainer(id),
  rerun: (seed) => `npm run soak -- --seed ${seed} --minutes 1`,
};

interface Planned {
  tag: string;
  pads: Array<{ text: string; bad: boolean }>;
  container?: Docker.Container;
  id?: string;
  rm: boolean;
  writer: boolean;
  removedByUs: boolean;
  startedAt: number;
  /** Lines a burst container writes (writers write until stopped). */
  count: number;
  stoppedAt?: number;
  /** A sync container some subscriber never saw: it ran before the window, and is not compared. */
  before?: boolean;
}

export interface Report {
  seed: number;
  events: { docker: number; berth: number; missing: string[]; extra: string[]; repeated: string[] };
  logs: { checked: number; docker: number; missing: number; extra: number; repeated: number; goneRead: number; goneWritten: number; foreign: number; goneRepeated: number };
  removals: { expected: number; missing: string[]; repeated: string[] };
  stats: { records: number; foreign: number; unsampled: string[] };
  stderr: string[];
  containers: number;
}

function spawn(engine: OracleEngine, args: string[]): { child: ResultPromise; out: LineCollector; stderr: () => string } {
  const child = execa('node', [BERTH_BIN, ...engine.berthArgs, ...args], { reject: false, maxBuffer: 1024 * 1024 * 1024, env: engine.berthEnv });
  const out = new LineCollector(child.stdout!);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  return { child, out, stderr: () => stderr };
}

/** One seed: `actionMs` of random actions on `engine`, then the comparison with the engine's CLI. */
export async function runSeed(seed: number, engine: OracleEngine, actionMs: number): Promise<Report> {
  const made = new Set<string>();
  try {
    return await drive(seed, engine, actionMs, made);
  } finally {
    await Promise.all([...made].map((id) => engine.remove(id)));
  }
}

async function drive(seed: number, engine: OracleEngine, actionMs: number, made: Set<string>): Promise<Report> {
  const r = rng(seed);
  const run = uniqueName(`or${seed}`);
  const project = run;
  const label = `berth.test.oracle=${run}`;
  const labels = { [PROJECT]: project, 'berth.test.oracle': run };
  const planned: Planned[] = [];
  const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

  const [cli, cliArgs] = engine.eventsCommand(label);
  const theirs = execa(cli, cliArgs, { reject: false });
  const theirLines = new LineCollector(theirs.stdout!);
  const events = spawn(engine, ['events', '--json', '--filter', `label=${label}`]);
  const logs = spawn(engine, ['logs', '-f', '--json', '--project', project]);
  const stats = spawn(engine, ['stats', '--json', '--project', project]);

  const make = async (p: Planned, cmd: string, autoRemove: boolean) => {
    const env = p.pads.map((pad, i) => `PAD${i}=${pad.text}`);
    const c = await engine.client.createContainer({
      Image: engine.image,
      name: `${run}-${p.tag}`,
      Cmd: ['sh', '-c', cmd],
      Env: env,
      Labels: testLabels({ ...labels, [SERVICE]: p.writer ? 'writer' : 'burst' }),
      HostConfig: { AutoRemove: autoRemove },
    });
    p.container = c;
    p.id = c.id;
    if (!autoRemove) made.add(c.id);
    p.startedAt = Date.now();
    await c.start();
  };
  const pads = () => Array.from({ length: 2 + Math.floor(r() * 3) }, () => padding(r));
  // Every subscription is up once a first container of the run was seen by all of them (a fixed wait is
  // not enough on a loaded machine, where starting node can take seconds): docker events and berth events
  // print its die event, berth logs its line. The window compared starts after that.
  // A sync container that ended before a late subscriber began is not seen by it: another is made every 5 s.
  let sync: Planned | undefined;
  const diedTheirs = (lines: string[]) =>
    lines.some((l) => {
      const e = engine.parseEvent(l);
      return e.id === sync!.id && e.action === 'die';
    });
  const diedOurs = (lines: string[]) => lines.some((l) => l.includes(sync!.id!) && /"action":"die"/.test(l));
  for (let tries = 0; ; tries++) {
    if (tries % 20 === 0) {
      if (sync) sync.before = true;
      sync = { tag: `s${tries / 20}`, pads: [{ text: 'sync', bad: false }], rm: false, writer: false, removedByUs: false, startedAt: 0, count: 1 };
      planned.push(sync);
      await make(sync, writerScript(sync.tag, sync.pads, 1, 0, 0), false);
    }
    await sleep(250);
    const ready = diedTheirs(theirLines.lines.map((l) => l.line)) && diedOurs(events.out.lines.map((l) => l.line)) && logs.out.lines.some((l) => l.line.includes(sync!.id!));
    if (ready) break;
    if (tries > 240) throw new Error(`seed ${seed}: berth and ${engine.name} were not both following after 60 s`);
  }
  const t0 = BigInt(Date.now()) * 1_000_000n;

  let n = 0;
  const actions = {
    burst: async () => {
      const batch = Array.from({ length: engine.burst }, () => {
        const count = 1 + Math.floor(r() * 6);
        const p: Planned = { tag: `b${n++}`, pads: pads(), rm: r() < 0.5, writer: false, removedByUs: false, startedAt: 0, count };
        planned.push(p);
        const linger = r() < 0.5 ? 0 : Number((r() * 1.5).toFixed(2));
        return { p, cmd: writerScript(p.tag, p.pads, count, 0, linger) };
      });
      await Promise.all(batch.map(({ p, cmd }) => make(p, cmd, p.rm).catch(() => undefined)));
    },
    writer: async () => {
      const p: Planned = { tag: `w${n++}`, pads: pads(), rm: false, writer: true, removedByUs: false, startedAt: 0, count: 0 };
      planned.push(p);
      await make(p, writerScript(p.tag, p.pads, 0, 50 + Math.floor(r() * 300), 0), false);
    },
    restart: async () => {
      const live = planned.filter((p) => p.writer && !p.removedByUs && p.container);
      if (live.length) await live[Math.floor(r() * live.length)]!.container!.restart({ t: 0 }).catch(() => undefined);
    },
    remove: async () => {
      const live = planned.filter((p) => p.writer && !p.removedByUs && p.container);
      if (live.length < 2) return;
      const p = live[Math.floor(r() * live.length)]!;
      p.removedByUs = true;
      p.stoppedAt = Date.now();
      await p.container!.remove({ force: true }).catch(() => undefined);
    },
    idle: async () => undefined,
  };
  await actions.writer();
  await actions.burst();
  const end = Date.now() + actionMs;
  while (Date.now() < end) {
    await actions[pick(r)]();
    await sleep(200 + Math.floor(r() * 1300));
  }
  await actions.burst();
  // Stop the writers so nothing is written after berth stops, and let the --rm containers finish.
  await Promise.all(planned.filter((p) => p.writer && !p.removedByUs).map((p) => ((p.stoppedAt = Date.now()), p.container!.kill().catch(() => undefined))));
  await Promise.all(planned.filter((p) => !p.writer && p.container).map((p) => p.container!.wait().catch(() => undefined)));
  await sleep(4000);
  const t1 = BigInt(Date.now()) * 1_000_000n;
  await sleep(1500);
  for (const c of [events.child, logs.child, stats.child]) c.kill('SIGINT');
  theirs.kill('SIGINT');
  const results = await Promise.all([events.child, logs.child, stats.child, theirs]);

  const report: Report = {
    seed,
    events: { docker: 0, berth: 0, missing: [], extra: [], repeated: [] },
    logs: { checked: 0, docker: 0, missing: 0, extra: 0, repeated: 0, goneRead: 0, goneWritten: 0, foreign: 0, goneRepeated: 0 },
    removals: { expected: 0, missing: [], repeated: [] },
    stats: { records: 0, foreign: 0, unsampled: [] },
    stderr: [],
    containers: planned.length,
  };
  for (const [i, res] of results.slice(0, 3).entries()) if (res.exitCode !== 130) report.stderr.push(`${['events', 'logs', 'stats'][i]} exited ${res.exitCode}`);

  // events: docker's live stream against berth's, in the window [t0, t1]
  const theirsEv = theirLines.lines.map((l) => {
    const e = engine.parseEvent(l.line);
    return { key: `${e.id} ${e.action} ${nanosToRfc3339(e.ns)}`, ns: e.ns };
  });
  const oursEv = events.out.json<{ id: string; action: string; ts: string }>().map((e) => `${e.id} ${e.action} ${e.ts}`);
  const window = new Set(theirsEv.filter((e) => e.ns >= t0 && e.ns <= t1).map((e) => e.key));
  const all = new Set(theirsEv.map((e) => e.key));
  const ourCount = new Map<string, number>();
  for (const k of oursEv) ourCount.set(k, (ourCount.get(k) ?? 0) + 1);
  report.events.docker = window.size;
  report.events.berth = oursEv.filter((k) => window.has(k)).length;
  const at = new Map(theirsEv.map((e) => [e.key, e.ns]));
  report.events.missing = [...window].filter((k) => !ourCount.has(k)).map((k) => `${k} (${(at.get(k)! - t0) / 1_000_000n} ms after the window began)`);
  report.events.extra = oursEv.filter((k) => !all.has(k));
  report.events.repeated = [...ourCount].filter(([, c]) => c > 1).map(([k]) => k);

  // logs
  const ourLogs = logs.out.json<{ id: string; ts: string; stream: string; msg: string }>();
  const byId = new Map<string, string[]>();
  for (const l of ourLogs) byId.set(l.id, [...(byId.get(l.id) ?? []), `${l.ts} ${l.stream} ${l.msg}`]);
  const ids = new Set(planned.map((p) => p.id));
  report.logs.foreign = ourLogs.filter((l) => !ids.has(l.id)).length;
  for (const p of planned) {
    if (!p.id || p.before) continue;
    const ours = byId.get(p.id) ?? [];
    const exists = await engine.client
      .getContainer(p.id)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (exists) {
      const want = await engine.logs(p.id);
      report.logs.checked++;
      report.logs.docker += want.length;
      const diff = multisetDiff(want, ours);
      report.logs.missing += diff.missing.length;
      report.logs.extra += diff.extra.length;
      report.logs.repeated += ours.length - new Set(ours).size;
      if (diff.missing.length || diff.extra.length)
        report.stderr.push(`logs of ${p.tag} (${p.id.slice(0, 12)}): missing ${JSON.stringify(diff.missing.slice(0, 3)).slice(0, 300)} extra ${JSON.stringify(diff.extra.slice(0, 3)).slice(0, 300)}`);
    } else {
      const msgs = ours.map((o) => o.slice(o.indexOf(' ', o.indexOf(' ') + 1) + 1));
      for (const m of msgs) {
        const k = /^[bw]\d+-(\d+)-/.exec(m);
        if (!k || !m.startsWith(`${p.tag}-`) || m !== expectedLine(p.tag, Number(k[1]), p.pads[Number(k[1]) % p.pads.length]!)) report.logs.foreign++;
      }
      report.logs.goneRepeated += ours.length - new Set(ours).size;
      if (!p.writer) {
        report.logs.goneRead += new Set(msgs).size;
        report.logs.goneWritten += p.count;
      }
    }
  }

  // removal lines: one per harness container destroyed while followed
  const destroyed = new Set(theirsEv.filter((e) => e.key.split(' ')[1] === 'destroy' && e.ns >= t0).map((e) => e.key.split(' ')[0]!));
  report.removals.expected = destroyed.size;
  const removalLines = logs
    .stderr()
    .split('\n')
    .filter((l) => / was removed/.test(l));
  for (const id of destroyed) {
    const k = removalLines.filter((l) => l.includes(`(${id.slice(0, 12)})`)).length;
    if (k === 0) report.removals.missing.push(id.slice(0, 12));
    if (k > 1) report.removals.repeated.push(id.slice(0, 12));
  }
  const noise = logs
    .stderr()
    .split('\n')
    .filter((l) => l && !/ was removed; its logs end here$/.test(l));
  report.stderr.push(...noise.map((l) => `logs stderr: ${l}`));
  report.stderr.push(
    ...events
      .stderr()
      .split('\n')
      .filter(Boolean)
      .map((l) => `events stderr: ${l}`),
  );

  // stats
  const ourStats = stats.out.json<{ id: string }>();
  report.stats.records = ourStats.length;
  report.stats.foreign = ourStats.filter((s) => !ids.has(s.id)).length;
  const sampled = new Set(ourStats.map((s) => s.id));
  report.stats.unsampled = planned.filter((p) => p.writer && p.id && (p.stoppedAt ?? 0) - p.startedAt > 3000 && !sampled.has(p.id)).map((p) => p.tag);

  return report;
}

/**
 * `docker logs -t` of a container as "TS STREAM MSG" strings. docker prints each engine message with its
 * own timestamp, and the engine cuts a line longer than 16 KiB into messages of 16 KiB: such a line comes
 * with a timestamp prefix inside it after every 16 KiB of content. Those are taken out here (the line's
 * time is its first message's, as berth gives it); then the bytes are read as UTF-8, as berth reads them.
 */
async function dockerLogs(id: string): Promise<string[]> {
  return cliLogs('docker', ['logs', '-t', id], (buf, start, nl) => `${buf.toString('latin1', start, start + 30)} ${joinPartials(buf.subarray(start + 31, nl)).toString('utf8')}`);
}

/**
 * An engine CLI's `logs -t` as "TS STREAM MSG" strings: `line` turns one line of its output (bytes
 * start..end of buf) into "TS MSG".
 */
export async function cliLogs(cli: string, args: string[], line: (buf: Buffer, start: number, end: number) => string): Promise<string[]> {
  const res = await execa(cli, args, { encoding: 'buffer', reject: false, maxBuffer: 1024 * 1024 * 1024, stripFinalNewline: false });
  const lines = (b: Uint8Array, stream: string) => {
    const buf = Buffer.from(b);
    const out: string[] = [];
    for (let start = 0; start < buf.length;) {
      let nl = buf.indexOf(10, start);
      if (nl === -1) nl = buf.length;
      const text = line(buf, start, nl);
      const sp = text.indexOf(' ');
      out.push(`${text.slice(0, sp)} ${stream} ${text.slice(sp + 1)}`);
      start = nl + 1;
    }
    return out;
  };
  return [...lines(res.stdout as Uint8Array, 'stdout'), ...lines(res.stderr as Uint8Array, 'stderr')];
}

const PARTIAL = 16 * 1024;
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z $/;

function joinPartials(content: Buffer): Buffer {
  const parts: Buffer[] = [];
  let rest = content;
  while (rest.length > PARTIAL && STAMP.test(rest.toString('latin1', PARTIAL, PARTIAL + 31))) {
    parts.push(rest.subarray(0, PARTIAL));
    rest = rest.subarray(PARTIAL + 31);
  }
  parts.push(rest);
  return Buffer.concat(parts);
}

function multisetDiff(want: string[], got: string[]): { missing: string[]; extra: string[] } {
  const m = new Map<string, number>();
  for (const w of want) m.set(w, (m.get(w) ?? 0) + 1);
  const extra: string[] = [];
  for (const g of got) {
    const c = m.get(g);
    if (c) m.set(g, c - 1);
    else extra.push(g);
  }
  const missing = [...m].flatMap(([k, c]) => Array<string>(c).fill(k));
  return { missing, extra };
}

/** Runs one seed on `engine` and expects 0 missing, 0 repeated, 0 extra; prints the figures, and the seed on failure. */
export async function checkSeed(seed: number, engine: OracleEngine, actionMs: number): Promise<Report> {
  const rep = await runSeed(seed, engine, actionMs);
  const summary = `oracle (${engine.name}) seed ${seed}: ${rep.containers} containers; events ${engine.name} ${rep.events.docker}, berth ${rep.events.berth}, missing ${rep.events.missing.length}, repeated ${rep.events.repeated.length}, extra ${rep.events.extra.length}; logs of ${rep.logs.checked} containers: ${engine.name} ${rep.logs.docker} lines, missing ${rep.logs.missing}, repeated ${rep.logs.repeated}, extra ${rep.logs.extra}; gone --rm containers: read ${rep.logs.goneRead} of ${rep.logs.goneWritten} lines, repeated ${rep.logs.goneRepeated}, foreign ${rep.logs.foreign}; removals ${rep.removals.expected}, missing ${rep.removals.missing.length}, repeated ${rep.removals.repeated.length}; stats records ${rep.stats.records}, foreign ${rep.stats.foreign}, unsampled ${rep.stats.unsampled.length}`;
  console.log(summary);
  const failed =
    rep.events.missing.length +
    rep.events.repeated.length +
    rep.events.extra.length +
    rep.logs.missing +
    rep.logs.repeated +
    rep.logs.extra +
    rep.logs.foreign +
    rep.logs.goneRepeated +
    rep.removals.missing.length +
    rep.removals.repeated.length +
    rep.stats.foreign +
    rep.stats.unsampled.length +
    rep.stderr.length;
  if (failed) console.error(`oracle (${engine.name}) FAILED with seed ${seed} (re-run: ${engine.rerun(seed)})\n${JSON.stringify({ ...rep, stderr: rep.stderr.slice(0, 20) }, null, 1).slice(0, 6000)}`);
  expect({ seed, failed, stderr: rep.stderr.slice(0, 5) }).toEqual({ seed, failed: 0, stderr: [] });
  return rep;
}
