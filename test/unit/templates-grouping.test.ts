/** One template per event, whatever a level marker, a list's length, a method or a user agent: lines written from the shapes, with invented values. */
import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/core/templates/miner.js';
import { TemplatesJob } from '../../src/core/templates/job.js';

/** Template ids by line, the header learned per source as `berth templates` does (lines wait while it is learned). */
async function ids(lines: string[]): Promise<number[]> {
  let out = '';
  const job = new TemplatesJob(new TemplateMiner(), { text: (t) => void (out += t), templates: () => {} }, true);
  for (const text of lines) job.observe({ text, group: { key: 'a' } });
  await job.finish('t', false);
  return out
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { templateId: number }).templateId);
}
const groups = async (lines: string[]) => new Set(await ids(lines)).size;

const clock = (i: number) => `${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:${String((i * 7) % 60).padStart(2, '0')}`;
const quad = (i: number) => `10.${i % 200}.${(i * 3) % 250}.${1 + (i % 250)}`;
const pick = <T>(xs: T[], i: number): T => xs[i % xs.length]!;

describe('templates: one template per event', () => {
  it('a one-character marker in the header: one event at four markers is one template, two events are two', async () => {
    const marks = ['*', '#', '.', '-'];
    const head = (i: number) => `${40 + i}:Z 09 Mar 2031 ${clock(i)}.${100 + (i % 900)} ${marks[(i * 5) % 4]}`;
    const lines = Array.from({ length: 80 }, (_, i) => (i % 3 ? `${head(i)} Flushed ledger ${i} in ${i % 40} ms` : `${head(i)} Peer ${quad(i)}:${2000 + i} left the ring`));
    const got = await ids(lines);
    expect(new Set(got).size).toBe(2);
    expect(new Set(got.filter((_, i) => i % 3 !== 0)).size).toBe(1);
  });

  it('access-log lines of one format are one template whatever the method, path, status, size, referer and user agent', async () => {
    const methods = ['GET', 'POST', 'DELETE', 'HEAD', 'OPTIONS'];
    const agents = ['-', 'fetcher/2.1', 'Lynx/9 (Plan 9; amd64) Tinker/3.3 (like Nothing)', 'Bot (compatible; +https://bot.example.net/)'];
    const refs = ['-', 'https://pantry.example.net/shelf?x=1'];
    const request = (i: number) => (i % 17 === 0 ? '-' : `${pick(methods, i)} /larder/${i % 9 ? `jar/${i}` : ''} HTTP/1.${i % 2}`);
    const combined = Array.from(
      { length: 60 },
      (_, i) => `${quad(i)} - ${i % 5 ? '-' : 'wilma'} [09/Mar/2031:${clock(i)} +0000] "${request(i)}" ${pick([200, 301, 404, 503], i)} ${i * 37} "${pick(refs, i)}" "${pick(agents, i)}"`,
    );
    expect(await groups(combined)).toBe(1);
    const common = Array.from({ length: 60 }, (_, i) => `${quad(i)} - - [09/Mar/2031:${clock(i)} +0000] "${request(i)}" ${pick([200, 404, 408], i)} ${i % 4 ? i * 91 : '-'}`);
    expect(await groups(common)).toBe(1);
  });

  it('a message carrying a list is one template whatever its length; events with other constant words stay apart', async () => {
    const names = ['wren', 'finch', 'heron7', 'kite', 'vole'];
    const list = (i: number, f: (k: number) => string, sep: string) => Array.from({ length: 1 + (i % 6) }, (_, k) => f(i + k)).join(sep);
    const lines = Array.from({ length: 120 }, (_, i) => {
      const t = `2031-03-09T${clock(i)}Z`;
      switch (i % 4) {
        case 0:
          return `${t} Granted pantry key to ${list(i, (k) => pick(names, k), ', ')}`;
        case 1:
          return `${t} Revoked pantry key from ${list(i, (k) => pick(names, k), ', ')}`;
        case 2:
          return `${t} Ignoring callers ${list(i, quad, ' ')}`;
        default:
          return `${t} Shelves [${list(i, (k) => `s-${k}`, ', ')}] restocked`;
      }
    });
    const got = await ids(lines);
    expect(new Set(got).size).toBe(4);
    for (let r = 0; r < 4; r++) expect(new Set(got.filter((_, i) => i % 4 === r)).size).toBe(1);
  });
});
