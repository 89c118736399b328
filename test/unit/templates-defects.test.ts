/** Clustering and masking rules of templates, one test each, with lines written for it (no dataset's lines). */
import { describe, expect, it } from 'vitest';
import { TemplateMiner } from '../../src/core/templates/miner.js';
import { maskTokens } from '../../src/core/templates/mask.js';
import { findHeader } from '../../src/core/templates/message-start.js';
import { fromSaved, toState } from '../../src/core/templates/state.js';
import { TemplatesJob } from '../../src/core/templates/job.js';
import { isContinuation } from '../../src/core/logs/continuation.js';

const G = { key: '' };
const ids = (m: TemplateMiner, lines: string[]) => lines.map((l) => m.observe(l, G, undefined)?.id);
const distinct = (lines: string[]) => new Set(ids(new TemplateMiner(), lines)).size;

describe('templates: masking and clustering rules', () => {
  it('a variable word in the 2nd position does not split the event', () => {
    expect(distinct(['member zoe joined', 'member yusuf joined', 'member xavier joined'].map((l) => l + ' the room'))).toBe(1);
  });

  it('a 4-digit number after a full date is the message, not a year', () => {
    const msg = (l: string) => l.slice(findHeader(l).offset);
    expect(msg('2031-05-06T07:08:09Z 4096 pages flushed to store')).toBe('4096 pages flushed to store');
    expect(msg('2031-05-06T07:08:09Z 64 pages flushed to store')).toBe('64 pages flushed to store');
    expect(msg('Tue May 06 07:08:09 2031 pages flushed')).toBe('pages flushed'); // a year completing a date still goes
    expect(distinct(['2031-05-06T07:08:09Z 4096 pages flushed to store', '2031-05-06T07:08:10Z 64 pages flushed to store'])).toBe(1);
  });

  it('comma-separated lists of any length collapse as one value', () => {
    expect(maskTokens('Bound to 10.1.2.3:8080')).toEqual(maskTokens('Bound to 10.1.2.3:8080, 10.4.5.6:9090, 10.7.8.9:7070'));
    expect(distinct(['Bound to 10.1.2.3:8080', 'Bound to 10.1.2.3:8080, 10.4.5.6:9090'])).toBe(1);
  });

  it('a word-valued and a digit-valued variable next to another value keep the same length', () => {
    expect(distinct(['Session closed for account admin 10.0.0.7 via 22', 'Session closed for account sam42 10.0.0.8 via 22'])).toBe(1);
  });

  it('sizes in bytes are sizes, and the comma after a size stays', () => {
    expect(maskTokens('cache block 12.5 B, left 40.2 MB')).toEqual(['cache', 'block', '<*>,', 'left', '<*>']);
    expect(maskTokens('cache block 7.1 KB, left 7.1 KB')).toEqual(['cache', 'block', '<*>,', 'left', '<*>']);
  });

  it('a --state resume gives the ids a single run gives', () => {
    const lines = ['probe reg 0x1 ready', 'probe reg 0x0 ready', 'probe reg 0xff ready', 'HTTP2 stream 7 reset', 'HTTP2 stream 1234 reset', 'alpha x y z', 'beta x y z', '0x1', '0x0'];
    for (let cut = 1; cut < lines.length; cut++) {
      const one = new TemplateMiner();
      const single = ids(one, lines);
      const first = new TemplateMiner();
      const a = ids(first, lines.slice(0, cut));
      const second = new TemplateMiner();
      for (const s of toState(first.store.values(), first.nextId, first.opts).templates) second.restore(fromSaved(JSON.parse(JSON.stringify(s))));
      const b = ids(second, lines.slice(cut));
      expect([...a, ...b]).toEqual(single);
    }
  });

  it('a one-token message keeps its words and masks only its digits', () => {
    expect(maskTokens('retryBatch,slot:3')).toEqual(['retryBatch,slot:<*>']);
    expect(distinct(['retryBatch,slot:3', 'flushAll,slot:9', 'retryBatch,slot:12'])).toBe(2);
  });

  it('blank lines make no template', () => {
    const m = new TemplateMiner();
    expect(m.observe('', G, undefined)).toBeUndefined();
    expect(m.observe('   \t', G, undefined)).toBeUndefined();
    expect(m.store.size).toBe(0);
  });

  it('a cut line is marked truncated with --annotate', async () => {
    let out = '';
    const job = new TemplatesJob(new TemplateMiner(), { text: (t) => void (out += t), templates: () => {} }, true);
    job.observe({ text: 'a very long line cut', group: G, truncated: true });
    await job.finish('t', false);
    expect(JSON.parse(out)).toMatchObject({ msg: 'a very long line cut', truncated: true, templateId: 1 });
  });

  it('GELF and logstash message keys; a stack trace joins the record it continues', () => {
    const m = new TemplateMiner();
    const a = m.observe('{"version":"1.1","host":"h1","short_message":"Order 17 shipped"}', G, undefined)!;
    const b = m.observe('{"@timestamp":"x","@message":"Order 18 shipped"}', G, undefined)!;
    expect(b).toBe(a);
    expect(a.text).toBe('Order <*> shipped');
    const head = m.observe('2031-05-06 07:08:09 ERROR [worker-2] q.Mailer: delivery to ops failed', G, undefined)!;
    for (const l of ['java.io.UncheckedIOException: broken pipe', '\tat q.Mailer.send(Mailer.java:41)', 'Caused by: java.net.SocketException: reset', '\t... 9 common frames omitted']) {
      expect(m.observe(l, G, undefined)).toBe(head);
    }
    expect(head.count).toBe(1);
  });
});

describe('continuation lines (one rule for templates and logs)', () => {
  it.each([
    ['\tat q.Mailer.send(Mailer.java:41)', true],
    ['    at async handler (/srv/app.js:10:5)', true],
    ['Caused by: java.net.SocketException: reset', true],
    ['\t... 9 common frames omitted', true],
    ['... 12 more', true],
    ['Traceback (most recent call last):', true],
    ['  File "/srv/jobs.py", line 33, in run', true],
    ["KeyError: 'slot'", true],
    ['java.lang.IllegalArgumentException: bad size', true],
    ['During handling of the above exception, another exception occurred:', true],
    ['Error: listen EADDRINUSE', false],
    ['2031-05-06 07:08:09 INFO started', false],
    ['Connection reset by peer', false],
    ['', false],
  ])('%j -> %s', (line, want) => {
    expect(isContinuation(line, 'previous line')).toBe(want);
  });

  it('the first line of a stream continues nothing', () => {
    expect(isContinuation('\tat x.Y.z(Y.java:1)')).toBe(false);
  });
});
