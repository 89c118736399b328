/**
 * The real stack: a docker-compose v1 project of Debian's Postgres 15 (with a
 * pg_isready healthcheck), Redis, a Python app (psycopg2) that needs both,
 * and nginx in front, all from the berth-test/real image
 * (scripts/real-image.sh). Each stack is a project of its own in a folder of
 * its own (its compose file names it), labelled for this run, and removed
 * with `docker-compose down` at the end.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { docker, ROOT, runId } from './docker.js';
import { requireTool } from './tools.js';

export const REAL_IMAGE = 'berth-test/real:latest';
export const SERVICES = ['db', 'cache', 'app', 'web'] as const;
export type Service = (typeof SERVICES)[number];

export async function requireRealImage(): Promise<void> {
  try {
    await docker.getImage(REAL_IMAGE).inspect();
  } catch {
    throw new Error(`${REAL_IMAGE} is missing: run \`bash scripts/real-image.sh docker\` (npm test runs it first)`);
  }
}

export interface StackOptions {
  /** The serve harness's run key (berth.test.serve), so only its serve routes it. */
  serve?: string;
  /** berth.idle.timeout of every service. */
  idle?: string;
  /** berth.proxy.host of web. */
  host?: string;
}

export class RealStack {
  readonly project = `berthreal${randomBytes(4).toString('hex')}`;
  readonly dir: string;

  constructor(o: StackOptions = {}) {
    requireTool('docker-compose');
    this.dir = mkdtempSync(join(tmpdir(), 'berth-real-stack-'));
    const src = join(ROOT, 'test', 'fixtures', 'real-stack');
    for (const f of ['app.py', 'nginx.conf']) cpSync(join(src, f), join(this.dir, f));
    const vars: Record<string, string> = { RUN: runId(), SERVE: o.serve ?? 'none', IDLE: o.idle ?? '0', HOST: o.host ?? `${this.project}.localhost` };
    const compose = readFileSync(join(src, 'compose.yml'), 'utf8').replace(/\$\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
    writeFileSync(join(this.dir, 'docker-compose.yml'), compose);
  }

  compose(args: string[], timeoutMs = 240_000) {
    return execa('docker-compose', ['-p', this.project, ...args], { cwd: this.dir, timeout: timeoutMs, reject: false, all: true });
  }

  /** `docker-compose up -d`: db healthy before app starts, as compose orders it. */
  async up(): Promise<void> {
    await requireRealImage();
    const r = await this.compose(['up', '-d', '--no-color']);
    if (r.exitCode !== 0) throw new Error(`docker-compose up failed (${r.exitCode}):\n${r.all}`);
  }

  async down(): Promise<void> {
    await this.compose(['down', '--volumes', '--remove-orphans', '-t', '2'], 120_000);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The container's name (compose v1: PROJECT_SERVICE_1). */
  name(svc: Service): string {
    return `${this.project}_${svc}_1`;
  }

  get network(): string {
    return `${this.project}_default`;
  }

  async state(svc: Service) {
    return (await docker.getContainer(this.name(svc)).inspect()).State;
  }

  /**
   * A psql client in a container of its own on the stack's network (as another
   * program would connect), running `sql` from stdin; resolves with its outcome.
   */
  psql(sql: string, o: { signal?: AbortSignal; timeoutMs?: number } = {}) {
    const name = `${this.project}-psql-${randomBytes(3).toString('hex')}`;
    return execa(
      'docker',
      [
        'run',
        '--rm',
        '-i',
        '--name',
        name,
        '--label',
        'berth.test=1',
        '--label',
        `berth.test.run=${runId()}`,
        '--network',
        this.network,
        REAL_IMAGE,
        'psql',
        '-h',
        'db',
        '-U',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-X',
        '-q',
        '-A',
        '-t',
      ],
      { input: sql, reject: false, all: true, timeout: o.timeoutMs ?? 120_000, ...(o.signal ? { cancelSignal: o.signal } : {}) },
    );
  }
}
