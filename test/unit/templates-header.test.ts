import { describe, expect, it } from 'vitest';
import { findHeader } from '../../src/core/templates/message-start.js';

const message = (line: string) => line.slice(findHeader(line).offset);

describe('templates: header stripping', () => {
  it.each([
    ['ISO date, level, thread, logger', '2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.App: Created app', 'Created app'],
    ['RFC 3339 with zone and a bracketed level', '2026-11-22T10:46:04.434328623Z [warn] disk almost full', 'disk almost full'],
    ['syslog with host and tag[pid]', 'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user unknown', 'check pass; user unknown'],
    ['syslog tag without pid', 'Dec 10 06:55:46 LabSZ kernel: eth0 link up', 'eth0 link up'],
    ['epoch, dates, node names, then a level', '- 1117838570 2005.06.03 R02-M1-N0 2005-06-03-15.42.50.675872 R02-M1-N0 RAS KERNEL INFO cache parity error', 'cache parity error'],
    ['a syslog stamp after other fields', '- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD (run-parts)', '(root) CMD (run-parts)'],
    ['pipe-delimited fields', '20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579', 'onStandStepChanged 3579'],
    ['bracketed time and "name -"', '[10.30 16:49:06] chrome.exe - proxy.example.com:5070 open', 'proxy.example.com:5070 open'],
    ['level with nested brackets and dash', '2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:2181:Election@774] - Notification time out: 3200', 'Notification time out: 3200'],
    ['python logging', '2024-01-01 12:00:00,123 - myapp - ERROR - boom', 'boom'],
    ["python logging's default format", 'INFO:root:cache warmed in 12 ms', 'cache warmed in 12 ms'],
    ['postgres', '2024-01-01 12:00:00.123 UTC [1] LOG:  database system is ready', 'database system is ready'],
    ['redis: pid:role, then day before month', '1:M 22 Nov 2026 10:00:00.123 * Ready to accept connections', '* Ready to accept connections'],
    ['spring boot: level, pid ---, [thread], logger :', '2024-01-01T12:00:00.123Z  INFO 1 --- [           main] o.s.b.w.Tomcat  : Tomcat started', 'Tomcat started'],
    ['plain numbers (yymmdd hhmmss pid) then a level and a logger', '081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 terminating', 'PacketResponder 1 terminating'],
    ['a capitalised level right after a time', '2016-09-28 04:30:30, Info                  CBS    Loaded stack', 'CBS    Loaded stack'],
    ['words and numbers before a time are a message', 'backup 2 done 12:00:01 ok', 'backup 2 done 12:00:01 ok'],
    ['go log', '2024/01/01 12:00:00 listening on :8080', 'listening on :8080'],
    ['a leading upper-case level alone', 'WARN low memory', 'low memory'],
    ['one field before the time (nginx client) goes with it', '172.17.0.1 - - [22/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 612', '"GET / HTTP/1.1" 200 612'],
    ['fields after the time that would take the whole rest are the message', '10.4.4.4 - - [09/Mar/2031:04:05:06 +0000] "\\x01\\x02" 418 -', '"\\x01\\x02" 418 -'],
    ['two words before a time are a message', 'backup done 12:00:01 ok', 'backup done 12:00:01 ok'],
    ['no header at all', 'listening on port 8080', 'listening on port 8080'],
    ['klog: level letter with date, time, thread, file:line]', 'W1122 10:59:04.666575       1 main.go:10] klog warning', 'klog warning'],
    ['a syslog priority against the text', '<3>disk full on /var', 'disk full on /var'],
    ['a syslog priority before a syslog stamp', '<14>Nov 22 10:00:00 host app[12]: hello there', 'hello there'],
    ['a klog-like word that is a message', 'I1122 is a model number', 'I1122 is a model number'],
    ['a number in the message is not a time', 'INFO 16604010 floating point alignment exceptions', '16604010 floating point alignment exceptions'],
    ['a word: after a level is not a syslog tag', '2024-01-01 12:00:00 INFO instruction address: 0x00004ed8', 'instruction address: 0x00004ed8'],
  ])('%s', (_what, line, want) => {
    expect(message(line)).toBe(want);
  });

  it('a lower-case level word right after a time is the level, tab-separated or not', () => {
    expect(findHeader('2031-02-03T04:05:06.007Z\twarn\tyard/crane.go:12\tcrate lifted').level).toBe('WARN');
    expect(message('2031-02-03T04:05:06.007Z\tdebug\tcrate lifted')).toBe('crate lifted');
    expect(message('2031-02-03 04:05:06 info crate lifted')).toBe('crate lifted');
  });

  it('reports the header level, normalised', () => {
    expect(findHeader('2024-01-01 12:00:00 WARNING x').level).toBe('WARN');
    expect(findHeader('plain text').level).toBeUndefined();
  });
});

describe('templates: levels of shaped headers', () => {
  it("reads klog's level letter", () => {
    expect(findHeader('E1122 10:59:06.000001   123 pod.go:5] failed').level).toBe('ERROR');
    expect(findHeader('I1122 10:59:06.000001   123 pod.go:5] fine').level).toBe('INFO');
  });
});
