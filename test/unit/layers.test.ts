// The direction of imports in src/ (docs/architecture.md, "Layout and start-up"): the CLI (commands, cli, context, main) ->
// capabilities (select, events, logs, stats, templates, idle, proxy, topology, swarm, docs) -> the shared core
// (engine, stream, output, config and the top-level core files) -> nothing of berth. No import goes
// back up, the capabilities' folders import each other without a circle, and no two files import each
// other, even for types only.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../helpers/paths.js';

const SRC = join(ROOT, 'src');
const SHARED = new Set([
  'core/engine',
  'core/stream',
  'core/output',
  'core/config',
  'core/errors.ts',
  'core/parse.ts',
  'core/reconnect.ts',
  'core/ring-buffer.ts',
  'core/atomic-file.ts',
  'core/records.ts',
  'core/proc-net.ts',
]);
const CAPABILITIES = new Set(['core/select', 'core/events', 'core/logs', 'core/stats', 'core/templates', 'core/idle', 'core/proxy', 'core/topology', 'core/swarm', 'core/docs']);

/** src/core/logs/merge.ts -> core/logs; src/core/parse.ts -> core/parse.ts; src/commands/x.ts -> commands; src/cli.ts -> cli.ts */
function unit(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts[0] === 'core' ? parts.slice(0, 2).join('/') : parts[0]!;
}
const layer = (u: string) => (SHARED.has(u) ? 0 : CAPABILITIES.has(u) ? 1 : 2);

function importGraph(dir: string): Map<string, string[]> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(dir);
  const g = new Map<string, string[]>();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const specs = [...text.matchAll(/^(?:import|export)\s[^'"]*?\sfrom\s+'(\.[^']+)'/gm), ...text.matchAll(/import\('(\.[^']+)'\)/g)].map((m) => m[1]!);
    g.set(
      f,
      specs.map((s) => resolve(dirname(f), s.replace(/\.js$/, '.ts'))),
    );
  }
  return g;
}

/** The strongly connected groups of more than one node (Tarjan). */
function circles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      on.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1) out.push(group.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('the import direction', () => {
  const g = importGraph(SRC);

  it('reads every file of src/ and resolves every relative import to one of them', () => {
    expect(g.size).toBeGreaterThan(100);
    const missing = [...g].flatMap(([f, ds]) => ds.filter((d) => !g.has(d)).map((d) => `${relative(SRC, f)} -> ${relative(SRC, d)}`));
    expect(missing).toEqual([]);
  });

  it('every file belongs to a declared layer', () => {
    const core = [...new Set([...g.keys()].map(unit))].filter((u) => u.startsWith('core/'));
    expect(core.filter((u) => !SHARED.has(u) && !CAPABILITIES.has(u))).toEqual([]);
  });

  it('no import goes up a layer (shared core -> capabilities -> CLI)', () => {
    const up = [...g].flatMap(([f, ds]) => ds.filter((d) => layer(unit(d)) > layer(unit(f))).map((d) => `${relative(SRC, f)} -> ${relative(SRC, d)}`));
    expect(up).toEqual([]);
  });

  it('no two files import each other, directly or around a circle, even for types', () => {
    expect(circles(g).map((c) => c.map((f) => relative(SRC, f)))).toEqual([]);
  });

  it("the capabilities' folders import each other without a circle", () => {
    const folders = new Map<string, string[]>();
    for (const [f, ds] of g) {
      const a = unit(f);
      if (!CAPABILITIES.has(a)) continue;
      const to = new Set(folders.get(a) ?? []);
      for (const d of ds) if (CAPABILITIES.has(unit(d)) && unit(d) !== a) to.add(unit(d));
      folders.set(a, [...to]);
    }
    expect(circles(folders)).toEqual([]);
  });

  it('finds what it looks for: a made-up circle and an upward import are caught', () => {
    const a = join(SRC, 'core/parse.ts');
    const b = join(SRC, 'core/logs/x.ts');
    const c = join(SRC, 'commands/y.ts');
    expect(
      circles(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toHaveLength(1);
    expect(layer(unit(a)) < layer(unit(b)) && layer(unit(b)) < layer(unit(c))).toBe(true);
  });
});
