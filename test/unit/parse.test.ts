import { afterEach, describe, expect, it } from 'vitest';
import {
  fixedRfc3339,
  localRfc3339,
  parseTail,
  sizeBytes,
  sizeText,
  collectFilters,
  nanosToEngineTime,
  nanosToRfc3339,
  parseDurationMs,
  parseInteger,
  parseKeyValue,
  parseTimePoint,
} from '../../src/core/parse.js';
import { BerthError } from '../../src/core/errors.js';

describe('parseDurationMs', () => {
  it.each([
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
    ['3', 3000],
  ])('%s -> %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', 'abc', '10x', '5m junk', 'm5'])('rejects %j with a message naming the flag', (text) => {
    expect(() => parseDurationMs(text, '--tick')).toThrow(/^--tick: expected a duration like 10s, 5m, 1h30m \(got: /);
  });
});

describe('parseInteger', () => {
  it('parses and bounds', () => {
    expect(parseInteger(' 42 ', '--tail')).toBe(42);
    expect(() => parseInteger('4.2', '--tail')).toThrow('--tail: expected a whole number (got: "4.2")');
    expect(() => parseInteger('-1', '--tail', { min: 0 })).toThrow('--tail: expected a number >= 0 (got: -1)');
  });
  it('throws a usage error (exit 2)', () => {
    try {
      parseInteger('x', '--n');
    } catch (err) {
      expect(err).toBeInstanceOf(BerthError);
      expect((err as BerthError).exitCode).toBe(2);
    }
    expect.assertions(2);
  });
});

describe('time points', () => {
  const now = Date.UTC(2026, 0, 2, 15, 4, 5);
  it('reads durations as "ago"', () => {
    expect(parseTimePoint('10m', '--since', now)).toBe(BigInt(now - 600_000) * 1_000_000n);
  });
  it('reads RFC 3339 with nanoseconds exactly', () => {
    expect(parseTimePoint('2026-01-02T15:04:05.123456789Z', '--since')).toBe(BigInt(now) * 1_000_000n + 123_456_789n);
    expect(parseTimePoint('2026-01-02T16:04:05+01:00', '--since')).toBe(BigInt(now) * 1_000_000n);
  });
  it('reads Unix timestamps with fractions', () => {
    expect(parseTimePoint('1700000000.5', '--until')).toBe(1_700_000_000_500_000_000n);
    expect(parseTimePoint('1700000000', '--until')).toBe(1_700_000_000_000_000_000n);
  });
  it('rejects junk naming the flag', () => {
    expect(() => parseTimePoint('yesterday', '--since')).toThrow(/^--since: expected a duration \(10m\), an RFC 3339 time/);
  });
  it('formats nanoseconds for the engine and for records', () => {
    expect(nanosToEngineTime(1_700_000_000_000_000_042n)).toBe('1700000000.000000042');
    expect(nanosToRfc3339(1_700_000_000_123_456_789n)).toBe('2023-11-14T22:13:20.123456789Z');
  });
});

describe('filters', () => {
  it('groups repeated keys (OR) and keeps keys apart (AND)', () => {
    expect(collectFilters(['type=container', 'event=start', 'event=die', 'label=a=b'])).toEqual({
      type: ['container'],
      event: ['start', 'die'],
      label: ['a=b'],
    });
  });
  it('rejects values without =', () => {
    expect(() => parseKeyValue('nokey', '--filter')).toThrow('--filter: expected key=value (got: "nokey")');
  });
});

describe('sizeBytes', () => {
  it.each([
    ['512', 512],
    ['10k', 10_240],
    ['1.5m', 1_572_864],
    ['1MiB', 1_048_576],
    ['2g', 2_147_483_648],
    [' 64 KB ', 65_536],
  ])('%j -> %d', (text, n) => expect(sizeBytes(text)).toBe(n));
  it.each(['', 'lots', '10x', '-1', '1e3'])('%j is not a size', (text) => expect(sizeBytes(text)).toBeUndefined());
});

describe('sizeText', () => {
  it.each([
    [16 * 1024 * 1024, '16m'],
    [1024 * 1024, '1m'],
    [1536, '1.5k'],
    [16 * 1024, '16k'],
    [2 * 1024 ** 3, '2g'],
    [100, '100'],
    [1000, '1000'],
  ])('%d -> %s, which sizeBytes reads back', (n, text) => {
    expect(sizeText(n)).toBe(text);
    expect(sizeBytes(text)).toBe(n);
  });
});

describe('fixedRfc3339 (record ts: UTC, nine fraction digits)', () => {
  it('pads what the engine trimmed, and keeps the fixed form as it is', () => {
    expect(fixedRfc3339('2026-11-22T16:04:05.75356494Z')).toBe('2026-11-22T16:04:05.753564940Z');
    expect(fixedRfc3339('2026-11-22T16:04:05.7Z')).toBe('2026-11-22T16:04:05.700000000Z');
    expect(fixedRfc3339('2026-11-22T16:04:05Z')).toBe('2026-11-22T16:04:05.000000000Z');
    expect(fixedRfc3339('2026-11-22T16:04:05.123456789Z')).toBe('2026-11-22T16:04:05.123456789Z');
  });
  it('converts another zone to UTC, and leaves text that is not a time alone', () => {
    expect(fixedRfc3339('2026-11-22T17:04:05.5+01:00')).toBe('2026-11-22T16:04:05.500000000Z');
    expect(fixedRfc3339('yesterday')).toBe('yesterday');
  });
});

describe('localRfc3339 (times for people, as the docker CLI prints them)', () => {
  const saved = process.env.TZ;
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
  it('keeps the nanoseconds and writes the local offset, or Z where it is zero', () => {
    process.env.TZ = 'Europe/Paris';
    expect(localRfc3339('2026-11-22T16:01:00.952824574Z')).toBe('2026-11-22T17:01:00.952824574+01:00');
    expect(localRfc3339('2026-07-01T23:30:00.000000001Z')).toBe('2026-07-02T01:30:00.000000001+02:00');
    process.env.TZ = 'America/St_Johns';
    expect(localRfc3339('2026-11-22T01:00:00.500000000Z')).toBe('2026-11-21T21:30:00.500000000-03:30');
    process.env.TZ = 'UTC';
    expect(localRfc3339('2026-11-22T16:01:00.952824574Z')).toBe('2026-11-22T16:01:00.952824574Z');
  });
});

describe('parseTail', () => {
  it('takes a count, "all" in any case, and a negative number as all (docker logs -n -1)', () => {
    expect(parseTail('10')).toBe(10);
    expect(parseTail('0')).toBe(0);
    expect(parseTail('all')).toBeUndefined();
    expect(parseTail('ALL')).toBeUndefined();
    expect(parseTail('-1')).toBeUndefined();
    expect(() => parseTail('ten')).toThrow('--tail: expected a whole number (got: "ten")');
    expect(() => parseTail('1.5')).toThrow('--tail: expected a whole number (got: "1.5")');
  });
});
