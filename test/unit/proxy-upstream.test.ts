import { describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { addressFromInspect } from '../../src/core/proxy/upstream.js';

const info = (net: object, hostConfig: object = {}) => ({ NetworkSettings: net, HostConfig: hostConfig }) as unknown as Docker.ContainerInspectInfo;

describe('upstream address', () => {
  it.each([
    ['the first network with an address', info({ Networks: { none: { IPAddress: '' }, app: { IPAddress: '10.0.3.7' } } }), { host: '10.0.3.7', port: 8080 }],
    ['the legacy default-bridge address', info({ Networks: {}, IPAddress: '172.17.0.4' }), { host: '172.17.0.4', port: 8080 }],
    ['a published port when there is no network address', info({ Networks: {}, Ports: { '8080/tcp': [{ HostIp: '0.0.0.0', HostPort: '49153' }] } }), { host: '127.0.0.1', port: 49153 }],
    ['the port itself on host networking', info({ Networks: { host: { IPAddress: '' } } }, { NetworkMode: 'host' }), { host: '127.0.0.1', port: 8080 }],
    ['nothing when it cannot be reached', info({ Networks: { none: { IPAddress: '' } } }), undefined],
  ])('%s', (_what, inspect, want) => {
    expect(addressFromInspect(inspect, 8080)).toEqual(want);
  });
});
