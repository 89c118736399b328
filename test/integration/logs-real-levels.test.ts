// Levels from real software's own conventions, on Debian's Postgres 15 and Redis in berth-test/real
// (scripts/real-image.sh): Postgres's LOG lines are INFO and an ERROR keeps its STATEMENT line;
// Redis's markers give levels, in `berth logs` and `berth templates` alike.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berth, docker, removeContainer, testLabels, uniqueName, waitFor } from '../helpers/docker.js';

const IMAGE = 'berth-test/real';
const made: string[] = [];
afterAll(() => Promise.all(made.map(removeContainer)));

beforeAll(async () => {
  await docker
    .getImage(IMAGE)
    .inspect()
    .catch(() => {
      throw new Error(`the image ${IMAGE} is missing: build it with bash scripts/real-image.sh docker`);
    });
});

async function runReal(prefix: string, cmd: string[], user?: string): Promise<string> {
  const name = uniqueName(prefix);
  made.push(name);
  const c = await docker.createContainer({ Image: IMAGE, name, Cmd: cmd, User: user, Labels: testLabels() });
  await c.start();
  return name;
}

interface Log {
  level: string;
  msg: string;
}
interface Tpl {
  levels: Record<string, number>;
  example: string;
  count: number;
}

const records = <T>(stdout: string): T[] =>
  stdout
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);

describe('levels of real software', () => {
  it('Postgres: LOG lines are INFO; an ERROR keeps its STATEMENT under --level error, and in templates the statement joins the error', async () => {
    const name = await runReal('pglevels', ['postgres', '-D', '/var/lib/postgresql/15/main', '-c', 'config_file=/etc/postgresql/15/main/postgresql.conf'], 'postgres');
    await waitFor(async () => (await berth(['logs', name])).stdout.includes('database system is ready to accept connections'), 60_000, 200);
    const psql = await execa('docker', ['exec', name, 'psql', '-h', '127.0.0.1', '-U', 'postgres', '-c', 'select * from nosuch_table'], { reject: false });
    expect(psql.stderr).toContain('nosuch_table');
    await waitFor(async () => (await berth(['logs', name])).stdout.includes('STATEMENT:  select * from nosuch_table'), 20_000, 200);

    const errors = await berth(['logs', name, '--json', '--level', 'error']);
    expect(errors.exitCode).toBe(0);
    const got = records<Log>(errors.stdout);
    const at = got.findIndex((r) => r.msg.includes('ERROR:  relation "nosuch_table" does not exist'));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(got[at + 1]?.msg).toMatch(/ STATEMENT: {2}select \* from nosuch_table$/);
    expect(got.slice(at, at + 2).map((r) => r.level)).toEqual(['ERROR', 'ERROR']);
    expect(got.every((r) => r.level === 'ERROR')).toBe(true);

    const info = records<Log>((await berth(['logs', name, '--json', '--level', 'info'])).stdout);
    const ready = info.find((r) => r.msg.endsWith('LOG:  database system is ready to accept connections'));
    expect(ready?.level).toBe('INFO');
    expect(info.filter((r) => / LOG: {2}/.test(r.msg)).every((r) => r.level === 'INFO')).toBe(true);

    const tpl = records<Tpl>((await berth(['templates', name, '--json'])).stdout);
    const err = tpl.find((t) => t.example.includes('nosuch_table'));
    expect(err).toMatchObject({ count: 1, levels: { ERROR: 1 } });
    expect(err!.example).toContain('ERROR:  relation');
    expect(tpl.filter((t) => t.example.includes('STATEMENT:'))).toEqual([]);
    expect(tpl.find((t) => t.example.includes('ready to accept connections'))?.levels).toEqual({ INFO: 1 });

    const annotated = records<Log>((await berth(['templates', name, '--json', '--annotate'])).stdout).filter((r) => r.msg?.includes('nosuch_table'));
    expect(annotated.map((r) => r.level)).toEqual(['ERROR', 'ERROR']);
  });

  it("Redis: each line's marker gives its level (* INFO, # WARN, - DEBUG) in logs and templates", async () => {
    const name = await runReal('redislevels', ['redis-server', '--loglevel', 'verbose', '--save', '']);
    await waitFor(async () => (await berth(['logs', name])).stdout.includes('Ready to accept connections'), 30_000, 200);
    await execa('docker', ['exec', name, 'redis-cli', 'ping']);
    await waitFor(async () => (await berth(['logs', name])).stdout.includes(' - Client closed connection'), 20_000, 200);

    const shape = /^\d+:[A-Z] \d\d? [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} ([.*#-]) /;
    const want = (msg: string) => ({ '.': 'DEBUG', '-': 'DEBUG', '*': 'INFO', '#': 'WARN' })[shape.exec(msg)![1] as '.' | '-' | '*' | '#'];
    const logs = records<Log>((await berth(['logs', name, '--json'])).stdout).filter((r) => shape.test(r.msg));
    expect(new Set(logs.map((r) => shape.exec(r.msg)![1]))).toEqual(new Set(['*', '#', '-']));
    expect(logs.map((r) => r.level)).toEqual(logs.map((r) => want(r.msg)));

    const tpl = records<Tpl>((await berth(['templates', name, '--json'])).stdout).filter((t) => shape.test(t.example));
    expect(tpl.length).toBeGreaterThan(3);
    for (const t of tpl) expect(t.levels).toEqual({ [want(t.example)]: t.count });
  });
});
