// The level conventions berth reads (docs/records.md, "Level conventions"): one table per
// convention, each line built from the convention's shape with invented values.
import { describe, expect, it } from 'vitest';
import { isContinuation } from '../../src/core/logs/continuation.js';
import { RecordLevels } from '../../src/core/logs/record-level.js';
import { detectLevel, type Level } from '../../src/core/logs/severity.js';
import { TemplateMiner } from '../../src/core/templates/miner.js';
import { levelCounts, type GroupRef } from '../../src/core/templates/template.js';

const conventions: Record<string, Array<[string, Level]>> = {
  'a level marker after pid, role and time (PID:ROLE DD Mon YYYY HH:MM:SS.mmm M)': [
    ['7:M 03 Feb 2031 04:05:06.789 * Ready for work', 'INFO'],
    ['7:S 3 Feb 2031 04:05:06.789 # Link to the primary lost', 'WARN'],
    ['42:C 28 Nov 2030 23:59:59.001 - Accepted 10.1.2.3:4567', 'DEBUG'],
    ['42:X 28 Nov 2030 23:59:59.001 . Sweeping 3 keys', 'DEBUG'],
    // the marker wins over level words in the message
    ['42:M 28 Nov 2030 23:59:59.001 * ERROR count is 0', 'INFO'],
    ['42:M 28 Nov 2030 23:59:59.001 # all good', 'WARN'],
    // not the shape: no marker, a marker without the space, no milliseconds
    ['42:M 28 Nov 2030 23:59:59.001 hello', 'OTHER'],
    ['42:M 28 Nov 2030 23:59:59.001 *hello', 'OTHER'],
    ['42:M 28 Nov 2030 23:59:59 * hello', 'OTHER'],
  ],
  'an upper-case level word, a colon and two spaces after a prefix (WORD:  message)': [
    ['2031-02-03 04:05:06.789 UTC [311] LOG:  checkpoint starting: time', 'INFO'],
    ['2031-02-03 04:05:06.789 UTC [311] appuser@shopdb ERROR:  column "qty" does not exist', 'ERROR'],
    ['2031-02-03 04:05:06 UTC [311-4] WARNING:  there is no transaction in progress', 'WARN'],
    ['2031-02-03 04:05:06.789 UTC [311] NOTICE:  table "tmp_x" does not exist, skipping', 'INFO'],
    ['2031-02-03 04:05:06.789 UTC [311] INFO:  vacuuming "public.items"', 'INFO'],
    ['2031-02-03 04:05:06.789 UTC [311] FATAL:  role "nobody" does not exist', 'ERROR'],
    ['2031-02-03 04:05:06.789 UTC [311] PANIC:  could not write to file', 'ERROR'],
    ['2031-02-03 04:05:06.789 UTC [311] DEBUG1:  autovacuum: processing database "shopdb"', 'DEBUG'],
    ['2031-02-03 04:05:06.789 UTC [311] DEBUG5:  StartTransaction(1)', 'DEBUG'],
    ['LOG:  no prefix at all', 'INFO'],
    ['DEBUG2:  no prefix at all', 'DEBUG'],
    // the word is the level, not an upper-case level word in the message after it
    ["2031-02-03 04:05:06.789 UTC [311] LOG:  statement: select 1 where kind = 'ERROR'", 'INFO'],
    // not the shape: one space, lower case, glued to the text before it
    ['2031-02-03 04:05:06.789 UTC [311] LOG: one space', 'OTHER'],
    ['2031-02-03 04:05:06.789 UTC [311] log:  lower case', 'OTHER'],
    ['2031-02-03 04:05:06.789 UTC [311] xLOG:  glued', 'OTHER'],
    ['the CATALOG:  of parts', 'OTHER'],
  ],
  'single letters of glog and klog (Lmmdd hh:mm:ss.uuuuuu id file:line] message)': [
    ['I0203 04:05:06.789012    17 server.go:88] listening', 'INFO'],
    ['W0203 04:05:06.789012    17 server.go:88] slow peer', 'WARN'],
    ['E0203 04:05:06.789012    17 server.go:88] peer gone', 'ERROR'],
    ['F0203 04:05:06.789012    17 server.go:88] cannot go on', 'ERROR'],
    ['X0203 04:05:06.789012    17 server.go:88] not a level letter', 'OTHER'],
  ],
  'a bracketed level word of web server error logs ([level], [module:level])': [
    ['2031/02/03 04:05:06 [emerg] 9#9: bind() failed', 'ERROR'],
    ['2031/02/03 04:05:06 [alert] 9#9: worker exited', 'ERROR'],
    ['2031/02/03 04:05:06 [crit] 9#9: *12 SSL_do_handshake() failed', 'ERROR'],
    ['2031/02/03 04:05:06 [error] 9#9: *12 open() "/srv/x" failed', 'ERROR'],
    ['2031/02/03 04:05:06 [warn] 9#9: low on workers', 'WARN'],
    ['2031/02/03 04:05:06 [notice] 9#9: signal process started', 'INFO'],
    ['2031/02/03 04:05:06 [info] 9#9: *12 client closed keepalive', 'INFO'],
    ['2031/02/03 04:05:06 [debug] 9#9: *12 http cleanup', 'DEBUG'],
    ['[Mon Feb 03 04:05:06.789012 2031] [core:error] [pid 55:tid 66] [client 10.1.2.3:4567] AH00001: bad', 'ERROR'],
    ['[Mon Feb 03 04:05:06.789012 2031] [mpm_event:notice] [pid 55:tid 66] AH00002: resuming', 'INFO'],
    ['[Mon Feb 03 04:05:06.789012 2031] [ssl:warn] [pid 55:tid 66] AH00003: no name', 'WARN'],
    ['[Mon Feb 03 04:05:06.789012 2031] [proxy:trace3] [pid 55:tid 66] connecting', 'DEBUG'],
    ['[Mon Feb 03 04:05:06.789012 2031] [:crit] [pid 55] a module without a name', 'ERROR'],
    ['[Mon Feb 03 04:05:06.789012 2031] [core:nothing] [pid 55] not a level', 'OTHER'],
  ],
  'syslog severities (<PRI> prefix, severity = PRI mod 8; severity names)': [
    ['<0>system unusable', 'ERROR'],
    ['<9>alert', 'ERROR'],
    ['<18>critical', 'ERROR'],
    ['<27>an error', 'ERROR'],
    ['<28>a warning', 'WARN'],
    ['<29>a notice', 'INFO'],
    ['<30>informational', 'INFO'],
    ['<31>debugging', 'DEBUG'],
    ['<165>1 2031-02-03T04:05:06.789Z box app 311 ID7 - rfc 5424 notice', 'INFO'],
    ['emerg: out of fuel', 'ERROR'],
    ['alert: out of fuel', 'ERROR'],
    ['crit: out of fuel', 'ERROR'],
    ['err: out of fuel', 'ERROR'],
    ['warning: low fuel', 'WARN'],
    ['notice: refuelled', 'INFO'],
    ['info: refuelled', 'INFO'],
    ['debug: fuel 31', 'DEBUG'],
  ],
};

describe('level conventions', () => {
  for (const [convention, cases] of Object.entries(conventions)) {
    describe(convention, () => {
      it.each(cases)('%j -> %s', (line, level) => {
        expect(detectLevel(line)).toBe(level);
      });
    });
  }
});

const levels = (lines: string[]) => {
  const r = new RecordLevels();
  return lines.map((l) => r.level('c1/stderr', l));
};

describe("a session's detail lines (<prefix>DETAIL:  ...) continue its message", () => {
  it('an ERROR keeps its DETAIL, HINT, CONTEXT, QUERY, LOCATION and STATEMENT lines', () => {
    const p = '2031-02-03 04:05:06.789 UTC [311] appuser@shopdb ';
    expect(
      levels([
        `${p}LOG:  connection authorized: user=appuser`,
        `${p}ERROR:  duplicate key value violates unique constraint "items_pkey"`,
        `${p}DETAIL:  Key (id)=(5) already exists.`,
        `${p}HINT:  Use another id.`,
        `${p}CONTEXT:  PL/pgSQL function add_item() line 3 at SQL statement`,
        `${p}QUERY:  insert into items values (5)`,
        `${p}LOCATION:  _bt_check_unique, nbtinsert.c:664`,
        `${p}STATEMENT:  select add_item()`,
        `${p}LOG:  disconnection: session time: 0:00:01.002`,
      ]),
    ).toEqual(['INFO', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'ERROR', 'INFO']);
  });

  it('a LOG or WARNING keeps its level on its detail lines, also without a prefix', () => {
    expect(levels(['2031-02-03 04:05:06.789 UTC [9] LOG:  statement: select 1', "2031-02-03 04:05:06.789 UTC [9] DETAIL:  parameters: $1 = 'ERROR'"])).toEqual(['INFO', 'INFO']);
    expect(levels(['WARNING:  nonstandard use of escape', 'HINT:  Use the escape string syntax.'])).toEqual(['WARN', 'WARN']);
    expect(levels(['FATAL:  password authentication failed for user "x"', 'DETAIL:  Connection matched a rule.'])).toEqual(['ERROR', 'ERROR']);
  });

  it('prefixes of one process id match when their time or line number differ', () => {
    expect(levels(['2031-02-03 04:05:06 UTC [311-7] ERROR:  canceling statement', '2031-02-03 04:05:07 UTC [311-8] STATEMENT:  select pg_sleep(9)'])).toEqual(['ERROR', 'ERROR']);
  });

  it('a detail line of another process, or after a line of another shape, continues nothing', () => {
    expect(levels(['2031-02-03 04:05:06.789 UTC [311] ERROR:  boom', '2031-02-03 04:05:06.789 UTC [312] STATEMENT:  select 2'])).toEqual(['ERROR', 'OTHER']);
    expect(levels(['ERROR something broke', 'STATEMENT:  select 2'])).toEqual(['ERROR', 'OTHER']);
    expect(levels(['2031-02-03 04:05:06.789 UTC [311] ERROR:  boom', '2031-02-03 04:05:06.789 UTC [311] MESSAGE:  not a detail word'])).toEqual(['ERROR', 'OTHER']);
  });

  it('isContinuation: the same rule, with the previous line given', () => {
    const prev = '2031-02-03 04:05:06.789 UTC [311] ERROR:  boom';
    expect(isContinuation('2031-02-03 04:05:06.789 UTC [311] STATEMENT:  select 2', prev)).toBe(true);
    expect(isContinuation('2031-02-03 04:05:06.789 UTC [311] STATEMENT:  select 2', '')).toBe(false);
    expect(isContinuation('2031-02-03 04:05:06.789 UTC [311] STATEMENT:  select 2')).toBe(false);
    expect(isContinuation('2031-02-03 04:05:06.789 UTC [311] STATEMENT: one space', prev)).toBe(false);
  });
});

describe('berth templates reads the same levels', () => {
  const G: GroupRef = { key: 'c\0\0db' };
  it("a session's STATEMENT line joins its ERROR's template, counted once as ERROR; LOG lines count as INFO", () => {
    const m = new TemplateMiner();
    const p = '2031-02-03 04:05:06.789 UTC [311] appuser@shopdb ';
    const log = m.observe(`${p}LOG:  checkpoint starting: time`, G, undefined)!;
    const err = m.observe(`${p}ERROR:  relation "carts" does not exist at character 15`, G, undefined)!;
    expect(m.observe(`${p}STATEMENT:  select * from carts`, G, undefined)).toBe(err);
    expect(levelCounts(log.levels)).toEqual({ INFO: 1 });
    expect(levelCounts(err.levels)).toEqual({ ERROR: 1 });
    expect(err.count).toBe(1);
  });

  it("marker lines count under their marker's level", () => {
    const m = new TemplateMiner();
    const lines = [
      '7:M 03 Feb 2031 04:05:06.789 * Ready for work',
      '7:M 03 Feb 2031 04:05:07.789 # Link lost',
      '7:M 03 Feb 2031 04:05:08.789 - Accepted 10.1.2.3:4567',
      '7:M 03 Feb 2031 04:05:09.789 . Sweeping 3 keys',
    ];
    expect(lines.map((l) => Object.keys(levelCounts(m.observe(l, G, undefined)!.levels)))).toEqual([['INFO'], ['WARN'], ['DEBUG'], ['DEBUG']]);
  });
});
