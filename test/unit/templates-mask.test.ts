import { describe, expect, it } from 'vitest';
import { maskToken, maskTokens } from '../../src/core/templates/mask.js';

describe('templates: masking variables', () => {
  it.each([
    ['numbers', 'took 250 ms for 3 items', ['took', '<*>', 'for', '<*>', 'items']],
    ['IPv4 with port and brackets', 'from [10.0.0.7:5432] ok', ['from', '[<*>]', 'ok']],
    ['IPv6', 'peer fe80::1ff:fe23:4567:890a up', ['peer', '<*>', 'up']],
    ['hex ids and UUIDs', 'container 3f2a9c01bd7e id 123e4567-e89b-12d3-a456-426614174000', ['container', '<*>', 'id', '<*>']],
    ['paths and URLs', 'GET /api/v1/users from https://example.com/x', ['GET', '<*>', 'from', '<*>']],
    ['quoted strings spanning spaces', 'user "John Smith" said "hi there" twice', ['user', '<*>', 'said', '<*>', 'twice']],
    ['key=value values, empty value kept', 'uid=0 user=root ruser= rhost=1.2.3.4', ['uid=<*>', 'user=<*>', 'ruser=', 'rhost=<*>']],
    ['a key=value value of words is a value too; operators and quoted values are not', 'granted user=wren db=yard.main a==b x=>y', ['granted', 'user=<*>', 'db=<*>', 'a==b', 'x=>y']],
    ['key:value with a number', 'onExtend:1514038530000 done', ['onExtend:<*>', 'done']],
    ['runs of variables collapse', 'values 1 2 3 4 end', ['values', '<*>', 'end']],
    ['sizes and durations with units', 'sent 1190 bytes (1.16 KB) in <1 sec', ['sent', '<*>', 'in', '<*>']],
    ['host names', 'resolved ns.example.com and db.internal, not cron.hourly', ['resolved', '<*>', 'and', '<*>,', 'not', 'cron.hourly']],
    ['empty brackets are an empty value', 'connection from 1.2.3.4 () at noon', ['connection', 'from', '<*>', 'at', 'noon']],
    ['upper-case protocol names stay', 'open through proxy HTTPS SOCKS5', ['open', 'through', 'proxy', 'HTTPS', 'SOCKS5']],
    ['month names next to numbers are dates, and a date of several words is one value', 'at Fri Jun 17 07:07:00 2005 end', ['at', '<*>', 'end']],
    ['a run of numbers is one value, an identifier next to a value is not joined to it', 'sum 1 2 3 by bob7 10.0.0.1', ['sum', '<*>', 'by', '<*>', '<*>']],
    ['a logfmt message keeps its words', 'level=info msg="Starting server" addr=:8080', ['level=<*>', 'msg="Starting', 'server"', 'addr=<*>']],
    ['a quoted request is one value, its verb with it', 'x "GET /index.html HTTP/1.1" 200', ['x', '<*>', '<*>']],
    ['a quoted URL is the same value as a quoted dash or a quoted sentence', 'ref "https://a.example.org/" ua "Tool/1 (X; Y)" ref "-"', ['ref', '<*>', 'ua', '<*>', 'ref', '<*>']],
    ['windows paths', 'Loaded C:\\Windows\\winsxs ok', ['Loaded', '<*>', 'ok']],
    ['one plain quoted word stays', '"GET" and "ok"', ['"GET"', 'and', '"ok"']],
    ['a quoted "-" (no value in an access log) is a variable', '"GET" "-" agent', ['"GET"', '<*>', 'agent']],
    ['words stay as written', 'Session closed, bye!', ['Session', 'closed,', 'bye!']],
    ['a comma list of three names or more is one value', 'paged wren, finch, heron, kite today', ['paged', '<*>', 'today']],
    ['a bracketed comma list of two names is one value, brackets kept', 'peers [vole, mink] up', ['peers', '[<*>]', 'up']],
    ['a comma list of two names with a digit in one is one value', 'paged wren, finch7', ['paged', '<*>']],
    ['a bracketed comma list of values is one value, brackets kept', 'slots [q-4, q-17, q-9] free', ['slots', '[<*>]', 'free']],
    ['two words and a comma are prose, not a list', 'Link lost, redialling now', ['Link', 'lost,', 'redialling', 'now']],
    ['a run mixing values and words is not a list', 'min 4 KB, max 9 KB', ['min', '<*>,', 'max', '<*>']],
    ['a comma list of two names ending the message is one value', 'paged wren, finch', ['paged', '<*>']],
    ['a dash after a value is its no-value mark (an access log size)', 'sent 418 - ok', ['sent', '<*>', 'ok']],
    ['a quoted name with @ or a dot is a value, a quoted plain word stays', 'route "shop@edge" file "a.conf" mode "read-only"', ['route', '<*>', 'file', '<*>', 'mode', '"read-only"']],
    ['a space-separated list of values of one shape is one value', 'dropping 10.9.8.7 10.9.8.66 172.16.0.4 now', ['dropping', '<*>', 'now']],
    ['space-separated ids of one shape are one value whatever their letters and digits', 'queued a1b2 77c0 9f9f and done', ['queued', '<*>', 'and', 'done']],
    ['a bracketed space-separated list of values of one shape is one value, brackets kept', 'certs for [a.pantry.example b.pantry.example c.pantry.example] due', ['certs', 'for', '[<*>]', 'due']],
  ])('%s', (_what, line, want) => {
    expect(maskTokens(line)).toEqual(want);
  });

  it.each([
    ['(uid=0)', '(uid=<*>)'],
    ['0x0b85eee0,', '<*>,'],
    ['blk_-1608999687919862906', '<*>'],
    ['cron.hourly', 'cron.hourly'],
    ['<*>', '<*>'],
    ['HTTP/1.1', '<*>'],
    ['a'.repeat(257), '<*>'],
    ['a'.repeat(256), 'a'.repeat(256)],
  ])('token %s -> %s', (tok, want) => {
    expect(maskToken(tok)).toBe(want);
  });
});
