import { describe, expect, it } from 'vitest';
import { parseIdleConfig, parseComposeDepends, DEFAULTS } from '../../src/core/idle/config.js';
import { idleConfigFor, parseConfigText } from '../../src/core/idle/config-file.js';
import { BerthError } from '../../src/core/errors.js';

const src = { container: 'web' };
const cfg = (labels: Record<string, string>) => parseIdleConfig(labels, src);

describe('idle config from labels', () => {
  it('applies the documented defaults when only the timeout is set', () => {
    expect(cfg({ 'berth.idle.timeout': '15m' })).toEqual({
      managed: true,
      timeoutMs: 900_000,
      stopMethod: 'stop',
      wakeTimeoutMs: 60_000,
      dependsOn: [],
      minBytes: 512,
      connections: 'count',
    });
    expect(DEFAULTS).toEqual({ timeoutMs: 0, stopMethod: 'stop', wakeTimeoutMs: 60_000, minBytes: 512, connections: 'count' });
  });

  it('is unmanaged without berth.idle.timeout', () => {
    expect(cfg({}).managed).toBe(false);
    expect(cfg({ 'berth.idle.timeout': '0' })).toMatchObject({ managed: true, timeoutMs: 0 });
  });

  it('parses every key', () => {
    const c = cfg({
      'berth.idle.timeout': '3s',
      'berth.idle.stop_method': 'pause',
      'berth.idle.stop_signal': 'sigint',
      'berth.idle.stop_timeout': '5s',
      'berth.idle.wake_timeout': '1m30s',
      'berth.idle.depends_on': 'db, cache:service_healthy',
      'berth.idle.probe': 'http://container:8080/health',
      'berth.idle.busy': 'cpu>5%',
      'berth.idle.min_bytes': '10k',
      'berth.idle.start_endpoint': '/, /api',
      'berth.idle.connections': 'ignore',
    });
    expect(c).toEqual({
      managed: true,
      timeoutMs: 3000,
      stopMethod: 'pause',
      stopSignal: 'SIGINT',
      stopTimeoutSec: 5,
      wakeTimeoutMs: 90_000,
      dependsOn: [
        { ref: 'db', condition: 'ready', compose: false },
        { ref: 'cache', condition: 'service_healthy', compose: false },
      ],
      probe: { kind: 'http', url: 'http://container:8080/health' },
      busy: { kind: 'cpu', percent: 5 },
      minBytes: 10240,
      connections: 'ignore',
      startEndpoints: ['/', '/api'],
    });
  });

  it('refuses a berth.idle.connections value other than count or ignore, naming the label', () => {
    expect(() => cfg({ 'berth.idle.connections': 'off' })).toThrow('container web: label berth.idle.connections: expected count or ignore (got: "off")');
  });

  it.each([
    ['tcp://container:5432', { kind: 'tcp', host: 'container', port: 5432 }],
    ['https://example.test/', { kind: 'http', url: 'https://example.test/' }],
  ])('parses probe %s', (v, want) => {
    expect(cfg({ 'berth.idle.probe': v }).probe).toEqual(want);
  });

  it.each([
    ['exec:/bin/check-busy --quick', { kind: 'exec', cmd: ['/bin/check-busy', '--quick'] }],
    ['cpu > 12.5%', { kind: 'cpu', percent: 12.5 }],
  ])('parses busy %s', (v, want) => {
    expect(cfg({ 'berth.idle.busy': v }).busy).toEqual(want);
  });

  it('puts compose depends_on first and honours its conditions', () => {
    expect(parseComposeDepends('db:service_healthy:false,init:service_completed_successfully:true,cache:service_started:false')).toEqual([
      { ref: 'db', condition: 'service_healthy', compose: true },
      { ref: 'init', condition: 'service_completed_successfully', compose: true },
      { ref: 'cache', condition: 'service_started', compose: true },
    ]);
    const c = cfg({ 'com.docker.compose.depends_on': 'db:service_healthy:false', 'berth.idle.depends_on': 'extra' });
    expect(c.dependsOn.map((d) => d.ref)).toEqual(['db', 'extra']);
  });

  it.each([
    ['timeout', 'soon', 'container web: label berth.idle.timeout: expected a duration like 30s, 15m, 1h (0 = never) (got: "soon")'],
    ['stop_method', 'halt', 'container web: label berth.idle.stop_method: expected one of stop, pause, kill (got: "halt")'],
    ['stop_signal', 'term!', 'container web: label berth.idle.stop_signal: expected a signal name like SIGTERM or a number (got: "term!")'],
    ['min_bytes', 'lots', 'container web: label berth.idle.min_bytes: expected a byte count like 0, 512, 10k, 1m (got: "lots")'],
    ['busy', 'cpu>5', 'container web: label berth.idle.busy: expected cpu>N% (e.g. cpu>5%) or exec:COMMAND (exit 0 = busy) (got: "cpu>5")'],
    ['probe', 'tcp://db', `container web: label berth.idle.probe: expected http://HOST:PORT/PATH, https://… or tcp://HOST:PORT (HOST "container" = the container's address) (got: "tcp://db")`],
    [
      'depends_on',
      'db:soon',
      'container web: label berth.idle.depends_on: expected a comma-separated list of NAME or NAME:CONDITION (service_started, service_healthy, service_completed_successfully, ready) (got: "db:soon")',
    ],
    ['start_endpoint', 'api', 'container web: label berth.idle.start_endpoint: expected a comma-separated list of path prefixes starting with / (got: "api")'],
  ])('rejects a bad %s naming container, label and form', (key, value, message) => {
    let err: unknown;
    try {
      cfg({ [`berth.idle.${key}`]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BerthError);
    expect((err as BerthError).message).toBe(message);
    expect((err as BerthError).exitCode).toBe(2);
  });
});

describe('idle config file', () => {
  const file = parseConfigText(
    [
      'defaults:',
      '  idle:',
      '    stop_method: pause',
      'containers:',
      '  web:',
      '    idle:',
      '      timeout: 3s',
      '      depends_on: [db, cache]',
      '    berth.proxy.host: web.test',
      '  db:',
      '    berth.idle.timeout: 10m',
    ].join('\n'),
    'idle.yml',
  );

  it('flattens nested and flat keys to label names, defaults under each entry', () => {
    expect(file.containers.get('web')).toEqual({
      'berth.idle.stop_method': 'pause',
      'berth.idle.timeout': '3s',
      'berth.idle.depends_on': 'db,cache',
      'berth.proxy.host': 'web.test',
    });
    expect(file.containers.get('db')).toEqual({ 'berth.idle.stop_method': 'pause', 'berth.idle.timeout': '10m' });
  });

  it('wins over labels key by key', () => {
    const c = idleConfigFor('web', { 'berth.idle.timeout': '1h', 'berth.idle.wake_timeout': '5s' }, file);
    expect(c).toMatchObject({ timeoutMs: 3000, wakeTimeoutMs: 5000, stopMethod: 'pause' });
    expect(c.dependsOn.map((d) => d.ref)).toEqual(['db', 'cache']);
  });

  it('checks every value when the file is read, naming the file (a mistake stops the command: exit 2)', () => {
    expect(() => parseConfigText('containers:\n  web:\n    idle:\n      timeout: soon\n', 'idle.yml')).toThrow(
      'container web: berth.idle.timeout in idle.yml: expected a duration like 30s, 15m, 1h (0 = never) (got: "soon")',
    );
    expect(() => parseConfigText('containers:\n  web:\n    proxy: {host: a.test, port: eighty}\n', 'idle.yml')).toThrow(
      'container web: berth.proxy.port in idle.yml: expected a port number 1-65535 (got: "eighty")',
    );
    expect(() => parseConfigText('containers:\n  web:\n    proxy: {tcp: "5432,abc"}\n', 'idle.yml')).toThrow('container web: berth.proxy.tcp in idle.yml');
    expect(() => parseConfigText('containers:\n  web:\n    proxy: {host: "a.test:8080"}\n', 'idle.yml')).toThrow('container web: berth.proxy.host in idle.yml');
    try {
      parseConfigText('defaults:\n  idle: {stop_method: sleep}\ncontainers:\n  web: {}\n', 'idle.yml');
      expect.unreachable();
    } catch (err) {
      expect((err as BerthError).exitCode).toBe(2);
      expect((err as Error).message).toBe('container web: berth.idle.stop_method in idle.yml: expected one of stop, pause, kill (got: "sleep")');
    }
  });

  it.each([
    ['containers:\n  web:\n    idle: {timout: 15m}\n', 'idle.yml: containers.web: unknown key "idle.timout" (known: idle.timeout,'],
    ['containers:\n  web:\n    proxy: {bogus: 1}\n', 'idle.yml: containers.web: unknown key "proxy.bogus"'],
    ['containers: [a, b]', 'idle.yml: containers: expected a mapping of container name to settings'],
    ['services: {}', 'idle.yml: unknown top-level key "services" (expected containers, defaults)'],
    ['containers:\n  web:\n    idle:\n      timeout:\n', 'idle.yml: containers.web.idle.timeout: has no value'],
    ['containers: {web: [}', 'idle.yml: not valid YAML'],
  ])('rejects %j', (text, message) => {
    expect(() => parseConfigText(text, 'idle.yml')).toThrow(message);
  });
});
