/**
 * Claims: which berth process manages (may stop) a container, so that two
 * processes never fight over one. One small JSON file per container id in
 * the claims directory (`claimsDir`), holding the pid and the command of the
 * process that manages it. A claim of a process that is gone is stale and
 * taken over.
 *
 * Precedence: `serve` sees a container's requests, streams and connections,
 * `watch-idle` only its counters, so serve takes a container over from a
 * watch-idle; otherwise the first process keeps it and the second defers
 * (it still reads and reports, but never stops it). A process checks that
 * the claim is still its own just before each stop (`holder`).
 *
 * Scope: one user on one machine (the directory is per user). Two machines
 * managing the same remote engine do not see each other's claims.
 */
import { mkdirSync, readFileSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { writeFileAtomic } from '../atomic-file.js';

export type Owner = 'serve' | 'watch-idle';

export interface Claim {
  pid: number;
  owner: Owner;
  container: string;
  since: string;
}

/** $BERTH_RUN_DIR, else $XDG_RUNTIME_DIR/berth, else TMPDIR/berth-UID; claims go in its `claims` folder. */
export function claimsDir(env: Record<string, string | undefined>): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const base = env.BERTH_RUN_DIR || (env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'berth') : join(tmpdir(), `berth-${uid}`));
  return join(base, 'claims');
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pure: may `owner` take a container whose live claim is `held`? */
export function mayTake(owner: Owner, held: Claim | undefined, pid: number): boolean {
  if (!held || held.pid === pid) return true;
  return owner === 'serve' && held.owner === 'watch-idle';
}

export class Claims {
  private readonly mine = new Set<string>();

  constructor(
    readonly dir: string,
    readonly owner: Owner,
    private readonly pid = process.pid,
    private readonly alive: (pid: number) => boolean = pidAlive,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private file(id: string): string {
    return join(this.dir, `${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
  }

  /** The live claim on a container, whoever holds it; undefined when none. */
  read(id: string): Claim | undefined {
    try {
      const c = JSON.parse(readFileSync(this.file(id), 'utf8')) as Claim;
      return typeof c.pid === 'number' && this.alive(c.pid) ? c : undefined;
    } catch {
      return undefined;
    }
  }

  /** The live claim of another process on a container (then this one must not stop it); undefined when it is ours or free. */
  holder(id: string): Claim | undefined {
    const c = this.read(id);
    return c && c.pid !== this.pid ? c : undefined;
  }

  /** Takes (or keeps) a container; returns the other process's claim when this one must defer to it. */
  take(id: string, container: string): Claim | undefined {
    const held = this.read(id);
    if (held?.pid === this.pid) return undefined;
    if (!mayTake(this.owner, held, this.pid)) return held;
    const claim: Claim = { pid: this.pid, owner: this.owner, container, since: this.now().toISOString() };
    writeFileAtomic(this.file(id), JSON.stringify(claim) + '\n', 0o600);
    this.mine.add(id);
    // Two takers at the same moment: the last rename wins; read back who that was.
    const after = this.read(id);
    return after && after.pid !== this.pid ? after : undefined;
  }

  /** Gives a container up (it is gone or no longer managed here). */
  release(id: string): void {
    if (!this.mine.delete(id)) return;
    if (this.read(id)?.pid === this.pid) unlinkQuietly(this.file(id));
  }

  releaseAll(): void {
    for (const id of [...this.mine]) this.release(id);
  }

  /** Every live claim in the directory (for tests and diagnostics). */
  list(): Claim[] {
    let names: string[] = [];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    return names.map((n) => this.read(n.slice(0, -5))).filter((c): c is Claim => !!c);
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}

/** The message of a process that defers to another's claim. */
export function deferMessage(name: string, held: Claim): string {
  return `${name} is managed by berth ${held.owner} (pid ${held.pid}) since ${held.since}; this process leaves its stops to it`;
}
