import { describe, expect, it } from 'vitest';
import { detectLevel, levelFromSyslog, type Level } from '../../src/core/logs/severity.js';

const cases: Array<[string, Level]> = [
  // level words at the start
  ['ERROR something broke', 'ERROR'],
  ['error: disk full', 'ERROR'],
  ['Warning: low memory', 'WARN'],
  ['WARN[0001] retrying', 'WARN'],
  ['INFO starting server', 'INFO'],
  ['DEBUG cache miss key=1', 'DEBUG'],
  ['TRACE enter fn', 'DEBUG'],
  ['FATAL cannot continue', 'ERROR'],
  // after a timestamp / logger name
  ['2026-11-22 10:00:00,123 ERROR [main] com.x.Y - boom', 'ERROR'],
  ['10:00:00.123 [main] WARN  com.x.Y - slow', 'WARN'],
  ['2026/11/22 10:00:00 [error] 7#7: *1 open() failed', 'ERROR'],
  ['2026/11/22 10:00:00 [notice] 1#1: start worker process', 'INFO'],
  ['[warn] deprecated option', 'WARN'],
  ['<debug> details', 'DEBUG'],
  ['time="2026-11-22T10:00:00Z" level=warning msg="x"', 'WARN'],
  ['ts=1 lvl=error msg=boom', 'ERROR'],
  ['t=2026-11-22T10:00:00+0000 lvl=dbug msg="cache miss"', 'DEBUG'], // log15's short names: dbug, info, warn, eror, crit
  ['t=2026-11-22T10:00:00+0000 lvl=eror msg=boom', 'ERROR'],
  ['severity=info msg=hello', 'INFO'],
  // klog / glog
  ['W1122 10:00:00.123456       1 reflector.go:1] watch ended', 'WARN'],
  ['E1122 10:00:00.123456       1 x.go:1] failed', 'ERROR'],
  ['I1122 10:00:00.123456       1 x.go:1] ok', 'INFO'],
  // JSON logs
  ['{"level":"error","msg":"boom"}', 'ERROR'],
  ['{"msg":"x","severity":"WARNING"}', 'WARN'],
  ['{"lvl":"debug","msg":"x"}', 'DEBUG'],
  ['{"level":30,"time":1,"msg":"pino info"}', 'INFO'],
  ['{"level":50,"msg":"pino error"}', 'ERROR'],
  ['{"level":60,"msg":"fatal"}', 'ERROR'],
  ['{"level":40,"msg":"warn"}', 'WARN'],
  ['{"level":20,"msg":"debug"}', 'DEBUG'],
  ['{"level":10,"msg":"trace"}', 'DEBUG'],
  ['{"msg":"no level here"}', 'OTHER'],
  // syslog priority prefixes
  ['<3>kernel: oops', 'ERROR'],
  ['<12>user warning', 'WARN'],
  ['<14>user info', 'INFO'],
  ['<15>user debug', 'DEBUG'],
  // no level
  ['hello world', 'OTHER'],
  ['GET /index.html 200 512', 'OTHER'],
  ['no error found in the terrorist list', 'OTHER'],
  ['information overload', 'OTHER'],
  ['INFORMATIONAL', 'OTHER'],
  ['', 'OTHER'],
  ['\u0000\u0001\u00ff binary', 'OTHER'],
  // the first word: 3 to 13 letters, then a space (any \s), `:`, `|` or `]`; lower case too
  ['warning| disk', 'WARN'],
  ['debug] x', 'DEBUG'],
  ['info\u00a0x', 'INFO'],
  ['info\u2028x', 'INFO'],
  ['notice\tx', 'INFO'],
  ['informational x', 'INFO'],
  ['warn', 'OTHER'],
  ['warn- x', 'OTHER'],
  ['errorx y', 'OTHER'],
  ['err: x', 'ERROR'],
  ['constructor x', 'OTHER'],
  ['toString: x', 'OTHER'],
];

describe('detectLevel', () => {
  it.each(cases)('%j -> %s', (msg, level) => {
    expect(detectLevel(msg)).toBe(level);
  });

  it('looks only at the head of a long line', () => {
    expect(detectLevel('x'.repeat(200) + ' ERROR')).toBe('OTHER');
    expect(detectLevel('ERROR ' + 'x'.repeat(5_000_000))).toBe('ERROR');
  });

  it('maps syslog priorities by their severity bits', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(levelFromSyslog)).toEqual(['ERROR', 'ERROR', 'ERROR', 'ERROR', 'WARN', 'INFO', 'INFO', 'DEBUG']);
    expect(levelFromSyslog(8 * 3 + 4)).toBe('WARN');
  });
});
