import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/paths.js';
import { TemplateMiner } from '../../src/core/templates/miner.js';
import { fromSaved, loadState, parseState, saveState, toState, type StateFile } from '../../src/core/templates/state.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child that saves big states (generation g in every template) in a loop until killed; it says "saved" after each. */
const SAVER = `
const { saveState } = await import(process.argv[1]);
const file = process.argv[2];
const big = 'x'.repeat(200);
console.log('saving');
for (let g = 1; ; g++) {
  const templates = [];
  for (let i = 0; i < 20000; i++) templates.push({ id: i + 1, group: { key: '' }, tokens: ['gen', String(g), big], count: g, levels: { INFO: g }, example: 'line ' + g });
  saveState(file, { berthTemplates: 1, nextId: g, options: { depth: 4, similarity: 0.7, maxChildren: 100 }, templates });
  console.log('saved');
}`;

/**
 * Kills the saver `fraction` of one save's measured duration into the save after its `saves`-th. Timed
 * from the child's own progress, not from the spawn, so a loaded machine or a faster Node moves the kill
 * with the saves instead of past them (a fixed delay from the spawn could land before the first save ended).
 */
function killSaverAfter(file: string, saves: number, fraction: number): Promise<void> {
  const stateJs = pathToFileURL(join(ROOT, 'dist', 'core', 'templates', 'state.js')).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', SAVER, stateJs, file], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    let last = 0;
    let done = 0;
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
        const line = text.slice(0, nl);
        text = text.slice(nl + 1);
        const now = performance.now();
        if (line === 'saved' && ++done === saves) timer = setTimeout(() => child.kill('SIGKILL'), fraction * (now - last));
        last = now;
      }
    });
    child.on('exit', () => (clearTimeout(timer), resolve()));
  });
}

/** A whole state: every template from the same generation as nextId. */
function expectWhole(s: StateFile): void {
  expect(s.templates).toHaveLength(20000);
  for (const t of s.templates) expect(t.count).toBe(s.nextId);
}

describe('templates: --state file', () => {
  it('round-trips templates: ids, counts, times, levels, order and the next id', () => {
    const m = new TemplateMiner();
    const a = m.observe('user 1 logged in', { key: 'c\0\0web', name: 'web' }, '2026-01-01T00:00:00.000000000Z', 'INFO');
    m.observe('disk full on /dev/sda', { key: '' }, undefined, 'ERROR');
    m.observe('user 2 logged in', a.group, '2026-01-01T00:00:01.000000000Z', 'WARN');
    const file = join(dir, 'round.json');
    saveState(file, toState(m.store.values(), m.nextId, m.opts));
    const back = new TemplateMiner();
    const s = loadState(file)!;
    for (const t of s.templates) back.restore(fromSaved(t));
    back.nextId = Math.max(back.nextId, s.nextId);
    expect([...back.store.values()].map((t) => [t.id, t.text, t.count, t.levels, t.firstTs, t.lastTs, t.isNew])).toEqual([
      [2, 'disk full on <*>', 1, { ERROR: 1 }, undefined, undefined, false],
      [1, 'user <*> logged in', 2, { INFO: 1, WARN: 1 }, '2026-01-01T00:00:00.000000000Z', '2026-01-01T00:00:01.000000000Z', false],
    ]);
    expect(back.observe('user 3 logged in', a.group, undefined, 'INFO').id).toBe(1);
    expect(back.observe('something else entirely', { key: '' }, undefined, 'INFO').id).toBe(3);
  });

  it('a missing file is an empty start; a broken one is an error naming the file', () => {
    expect(loadState(join(dir, 'none.json'))).toBeUndefined();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"berthTemplates":1,"nextId":3,"templ');
    expect(() => loadState(bad)).toThrow(/--state: .*bad\.json is not a berth templates state file/);
    expect(() => parseState('{"berthTemplates":1,"nextId":1,"templates":[{"id":"x"}]}', 'f')).toThrow('--state: f: template 1 is malformed');
    // a template's words are kept joined by spaces: a word with a space in it (or an empty one) would be two (or none)
    const withWords = (tokens: unknown[]) => JSON.stringify({ berthTemplates: 1, nextId: 2, templates: [{ id: 1, group: { key: '' }, tokens, count: 1 }] });
    expect(() => parseState(withWords(['job', 'two words']), 'f')).toThrow('--state: f: template 1 is malformed');
    expect(() => parseState(withWords(['job', '']), 'f')).toThrow('--state: f: template 1 is malformed');
    expect(() => parseState(withWords(['job', 7]), 'f')).toThrow('--state: f: template 1 is malformed');
    expect(fromSaved(parseState(withWords(['job', '<*>', 'done']), 'f').templates[0]!)).toMatchObject({ id: 1, text: 'job <*> done', size: 3, count: 1, isNew: false });
  });

  it('a kill at any point of a save leaves the old file or the new one, never a broken one', async () => {
    const file = join(dir, 'killed.json');
    saveState(file, {
      berthTemplates: 1,
      nextId: 0,
      options: { depth: 4, similarity: 0.7, maxChildren: 100 },
      templates: Array.from({ length: 20000 }, (_, i) => ({ id: i + 1, group: { key: '' }, tokens: ['gen', '0'], count: 0, levels: {}, example: '' })),
    });
    const seen = new Set<number>();
    for (let round = 0; round < 16; round++) {
      // 1 to 3 whole saves, then a kill spread evenly over the next one (no Math.random: the same rounds every run)
      await killSaverAfter(file, 1 + (round % 3), (((round * 7) % 16) + 0.5) / 16);
      const s = parseState(readFileSync(file, 'utf8'), file);
      expectWhole(s);
      seen.add(s.nextId);
    }
    // The kills landed while saves were under way: generations moved on, and killed saves left temp files.
    expect(seen.size).toBeGreaterThan(1);
    expect(readdirSync(dir).filter((f) => f.startsWith('.killed.json.') && f.endsWith('.tmp')).length).toBeGreaterThan(0);
  }, 120_000);
});
