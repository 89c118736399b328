import { describe, expect, it } from 'vitest';
import { HeaderLearner, SAMPLE, columnClasses, learnHeader, learnedStart } from '../../src/core/templates/learned-header.js';
import { TemplateMiner } from '../../src/core/templates/miner.js';
import { TemplatesJob } from '../../src/core/templates/job.js';

// a header of a shape no per-line rule knows: time, a worker number, a bracketed tag, an id in angle brackets
const verbs = ['opened', 'closed', 'renamed', 'flushed'];
const odd = (i: number) => `2031-02-03 04:05:${String(i % 60).padStart(2, '0')}.${100 + i} ${i % 7} [mod:${verbs[i % 4]}] <7.${i}.0> ${verbs[i % 4]} file for job ${i}`;
const message = (line: string, learner: HeaderLearner) => line.slice(learner.start(line));

describe('templates: headers learned from the stream', () => {
  it('learns the columns that behave like a header over the first lines', () => {
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(odd(i))));
    expect(spec).toBeDefined();
    expect(odd(3).slice(learnedStart(odd(3), spec!))).toBe('flushed file for job 3');
  });

  it('no consistent time or level column: no learned header', () => {
    expect(learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(`job ${i} moved to shelf ${i % 3}`)))).toBeUndefined();
  });

  it('a number right before the message is not taken (it may be the message first word)', () => {
    const lines = Array.from({ length: SAMPLE }, (_, i) => `2031-02-03T04:05:06Z ${1000 + i} bytes sent`);
    const spec = learnHeader(lines.map(columnClasses));
    expect(lines[0]!.slice(learnedStart(lines[0]!, spec!))).toBe('1000 bytes sent');
  });

  // a header whose last column is a one-character level marker from a small set (`*`, `#`, `.`, `-`)
  const marks = ['*', '#', '.', '-'];
  const marked = (i: number, m = marks[i % 4]!) => `${300 + i}:Q 09 Mar 2031 04:05:${String(i % 60).padStart(2, '0')}.${100 + i} ${m} restocked shelf ${i} for ${verbs[i % 4]}`;

  it('a one-character marker column after the time is header, whichever marker a line has', () => {
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(marked(i))));
    for (const m of marks) expect(marked(7, m).slice(learnedStart(marked(7, m), spec!))).toBe('restocked shelf 7 for flushed');
  });

  it('a column of level letters after the time is header', () => {
    const letters = ['I', 'W', 'E'];
    const line = (i: number) => `2031-02-03T04:05:${String(i % 60).padStart(2, '0')}Z ${letters[i % 3]} drained pool ${i}`;
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(line(i))));
    expect(line(4).slice(learnedStart(line(4), spec!))).toBe('drained pool 4');
  });

  it('a one-character column with many values is not a marker: it stays in the message', () => {
    const line = (i: number) => `2031-02-03T04:05:${String(i % 60).padStart(2, '0')}Z ${String.fromCharCode(65 + (i % 20))} grade given to pupil ${i}`;
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(line(i))));
    expect(line(4).slice(learnedStart(line(4), spec!))).toBe('E grade given to pupil 4');
  });

  it('one event written with different markers is one template', async () => {
    let out = '';
    const job = new TemplatesJob(new TemplateMiner(), { text: (t) => void (out += t), templates: () => {} }, true);
    for (let i = 0; i < 60; i++) job.observe({ text: marked(i), group: { key: 'a' } });
    await job.finish('t', false);
    const recs = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(recs.map((r) => r.templateId)).size).toBe(1);
    expect(recs.at(-1).template).toBe('restocked shelf <*> for <*>');
  });

  it('is learned again when most lines stop fitting', () => {
    const h = new HeaderLearner();
    for (let i = 0; i < SAMPLE; i++) h.sample(odd(i));
    expect(message(odd(99), h)).toBe('flushed file for job 99');
    const other = (i: number) => `INFO | node-${i % 3} | ${i} | cache warmed in ${i} ms`;
    for (let i = 0; i < 400; i++) h.start(other(i));
    expect(message(other(5), h)).toBe('cache warmed in 5 ms');
  });

  it('per source: lines of two containers are learned apart, and --annotate keeps input order while they wait', async () => {
    let out = '';
    const job = new TemplatesJob(new TemplateMiner(), { text: (t) => void (out += t), templates: () => {} }, true);
    const a = { key: 'a' };
    const b = { key: 'b' };
    for (let i = 0; i < 60; i++) {
      job.observe({ text: odd(i), group: a });
      job.observe({ text: `W ${i} unrelated shape entirely here`, group: b });
    }
    await job.finish('t', false);
    const recs = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(recs).toHaveLength(120);
    expect(recs.map((r) => r.msg)).toEqual(Array.from({ length: 60 }, (_, i) => [odd(i), `W ${i} unrelated shape entirely here`]).flat());
    expect(new Set(recs.filter((_, i) => i % 2 === 0).map((r) => r.template))).toEqual(new Set(verbs.map((v) => `${v} file for job <*>`)));
  });

  // a header of date, time, two number columns (process, thread), a level letter, then a component of 1-3 words and a colon
  const parts = ['Shelf', 'Crate.Stack', 'pallet lift ctl', 'Dock.Bay', 'belt drive'];
  const said = ['moved to row', 'refilled by', 'weighed at'];
  const lettered = (i: number, letter = 'IDW'[i % 3]!) =>
    `02-03 04:05:${String(i % 60).padStart(2, '0')}.${100 + i} ${String(300 + i).padStart(5)} ${String(7000 + 13 * i).padStart(5)} ${letter} ${parts[i % 5]}: ${said[i % 3]} ${i}`;

  it('two number columns before a level letter are header', () => {
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(lettered(i))));
    expect(spec!.classes).toHaveLength(5);
  });

  it('a component name of one to three words and a colon after the level is header, whatever its word count', () => {
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(lettered(i))));
    for (let i = 0; i < 5; i++) expect(lettered(i).slice(learnedStart(lettered(i), spec!))).toBe(`${said[i % 3]} ${i}`);
    // a line without such a name keeps all of its words
    const plain = `02-03 04:05:06.100   301  7013 I nothing named here at all`;
    expect(plain.slice(learnedStart(plain, spec!))).toBe('nothing named here at all');
  });

  it('a component name is not learned when most lines have none', () => {
    const line = (i: number) => `02-03 04:05:${String(i % 60).padStart(2, '0')}.${100 + i} ${300 + i} ${7000 + i} ${'IDW'[i % 3]} ${i % 6 ? 'restocked shelf' : 'Note:'} ${i} today`;
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(line(i))));
    expect(spec!.component).toBeFalsy();
    expect(line(0).slice(learnedStart(line(0), spec!))).toBe('Note: 0 today');
  });

  it('one event from components of different word counts and levels is one template per message', async () => {
    let out = '';
    const job = new TemplatesJob(new TemplateMiner(), { text: (t) => void (out += t), templates: () => {} }, true);
    for (let i = 0; i < 90; i++) job.observe({ text: lettered(i), group: { key: 'a' } });
    await job.finish('t', false);
    const recs = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(new Set(recs.map((r) => r.template))).toEqual(new Set(said.map((w) => `${w} <*>`)));
  });

  // a service header: file, date, time, pid, level, a dotted logger name without a colon, a request context in brackets
  const ctx = (i: number) => (i % 4 ? `[ask-${1000 + i} ${'ab'.repeat(8)} - - -]` : '[-]');
  const service = (i: number) =>
    `yard.log.${i % 3} 2031-02-03 04:05:06.${100 + i} ${2000 + i} ${i % 5 ? 'INFO' : 'WARNING'} yard.crane.${['hoist', 'boom'][i % 2]} ${ctx(i)} lifted crate ${i} to bay ${i % 9}`;

  it('a dotted logger name without a colon and the bracket after it are header', () => {
    const spec = learnHeader(Array.from({ length: SAMPLE }, (_, i) => columnClasses(service(i))));
    for (const i of [3, 4]) expect(service(i).slice(learnedStart(service(i), spec!))).toBe(`lifted crate ${i} to bay ${i % 9}`);
  });

  it('a dotted name with digits is not a logger name (a version, an address)', () => {
    const { classes } = columnClasses('2031-02-03T04:05:06Z v1.2.3 yard.crane 10.0.0.1 started');
    expect(classes[1]).not.toBe(classes[2]);
    expect(classes[3]).not.toBe(classes[2]);
  });
});
