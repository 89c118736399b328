import { describe, expect, it } from 'vitest';
import { readSablierAsk, sablierInstances, type SablierAsk } from '../../src/core/proxy/sablier.js';
import { parseRoute, RouteTable } from '../../src/core/proxy/routes.js';

const table = new RouteTable([
  parseRoute('web', { 'sablier.enable': 'true', 'sablier.group': 'shop' }),
  parseRoute('api', { 'berth.proxy.host': 'api.test', 'com.docker.compose.project': 'shop' }),
  parseRoute('db', { 'sablier.enable': 'true', 'sablier.group': 'data', 'com.docker.compose.project': 'shop' }),
]);

describe("Sablier's API: the request", () => {
  it('reads names (repeated, optional:), durations in Go form, display name, details and refresh', () => {
    expect(readSablierAsk('/api/strategies/dynamic?names=web&names=optional:gone&session_duration=1h30m&timeout=90s&refresh_frequency=2s&display_name=Shop&show_details=true&theme=ghost')).toEqual({
      names: [
        { name: 'web', optional: false },
        { name: 'gone', optional: true },
      ],
      group: undefined,
      timeoutMs: 90_000,
      refreshSec: 2,
      displayName: 'Shop',
      showDetails: true,
    });
  });

  it.each([
    ['/api/strategies/blocking', 'name the instances with names=, or a group with group='],
    ['/api/strategies/blocking?names=web&group=shop', 'names and group cannot be used together'],
    ['/api/strategies/blocking?names=web&timeout=soon', 'timeout: expected a duration like 10s, 5m, 1h30m (got: "soon")'],
    ['/api/strategies/blocking?names=web&session_duration=5x', 'session_duration: expected a duration like 10s, 5m, 1h30m (got: "5x")'],
  ])('refuses %s', (url, error) => {
    expect(readSablierAsk(url)).toEqual({ error });
  });

  it.each([
    ['group=shop', ['api', 'web']],
    ['group=data', ['db']],
    ['names=web&names=optional:gone', ['web']],
  ])('%s asks about %j (sablier.group wins over the compose project)', (q, names) => {
    expect(sablierInstances(table, readSablierAsk(`/x?${q}`) as SablierAsk)).toEqual(names);
  });

  it('names an unknown instance or group', () => {
    expect(sablierInstances(table, readSablierAsk('/x?names=gone') as SablierAsk)).toEqual({
      error: 'no such instance: gone (an instance is a container with sablier.enable=true or berth.proxy.* labels)',
    });
    expect(sablierInstances(table, readSablierAsk('/x?group=none') as SablierAsk)).toEqual({ error: 'no instance in group "none" (sablier.group label, else compose project)' });
  });
});
