import { describe, expect, it } from 'vitest';
import { planEndpoints, type EndpointService, type EndpointTask } from '../../src/core/swarm/endpoints.js';

const svc = (o: Partial<EndpointService> = {}): EndpointService => ({ ID: 's1', Spec: { Name: 'web' }, ...o });
const task = (id: string, node: string, o: Partial<EndpointTask> = {}): EndpointTask => ({
  ID: id,
  NodeID: node,
  DesiredState: 'running',
  Status: { State: 'running' },
  NetworksAttachments: [{ Network: { Spec: { Name: 'appnet' } }, Addresses: [`10.0.9.${id.slice(1)}/24`] }],
  ...o,
});
const hostPort = (published: number, target = 80) => ({
  Status: { State: 'running', PortStatus: { Ports: [{ Protocol: 'tcp', TargetPort: target, PublishedPort: published, PublishMode: 'host' }] } },
});
const nodes = new Map([
  ['n1', '192.168.5.1'],
  ['n2', '192.168.5.2'],
]);

describe('planEndpoints: where serve reaches a service', () => {
  it("takes each running task's address when this machine is on the task's network (tasks.SERVICE)", () => {
    const local = [{ address: '10.0.9.200', prefix: 24 }];
    expect(planEndpoints(svc(), [task('t3', 'n1'), task('t4', 'n2')], 80, nodes, local)).toEqual({
      endpoints: [
        { host: '10.0.9.3', port: 80 },
        { host: '10.0.9.4', port: 80 },
      ],
    });
  });

  it("else the node's address and the task's host-mode published port for the target port", () => {
    const tasks = [task('t3', 'n1', hostPort(8081)), task('t4', 'n2', hostPort(8082)), task('t5', 'n2', hostPort(9000, 443))];
    expect(planEndpoints(svc(), tasks, 80, nodes, [{ address: '172.17.0.1', prefix: 16 }])).toEqual({
      endpoints: [
        { host: '192.168.5.1', port: 8081 },
        { host: '192.168.5.2', port: 8082 },
      ],
    });
  });

  it('leaves out tasks that are not running or are being shut down', () => {
    const tasks = [task('t3', 'n1', { DesiredState: 'shutdown' }), task('t4', 'n2', { Status: { State: 'starting' } }), task('t5', 'n2')];
    expect(planEndpoints(svc(), tasks, 80, nodes, [{ address: '10.0.9.1', prefix: 24 }])).toEqual({ endpoints: [{ host: '10.0.9.5', port: 80 }] });
  });

  it('a same-looking address with another prefix length is not the same network', () => {
    const plan = planEndpoints(svc(), [task('t3', 'n1')], 80, nodes, [{ address: '10.0.9.1', prefix: 16 }]);
    expect(plan).toEqual({ none: 'service web: berth cannot reach port 80 of its tasks: it is not published in host mode, and this machine is not on its network (appnet)' });
  });

  it('only an ingress (routing mesh) port: the mesh, which the caller must check', () => {
    const s = svc({ Endpoint: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 30080, PublishMode: 'ingress' }] } });
    expect(planEndpoints(s, [task('t3', 'n1')], 80, nodes, [])).toEqual({ mesh: { port: 30080 } });
  });

  it('no running task: says so', () => {
    expect(planEndpoints(svc(), [task('t3', 'n1', { Status: { State: 'shutdown' } })], 80, nodes, [])).toEqual({ none: 'service web has no running task' });
  });
});
