import { describe, expect, it } from 'vitest';
import { ConnectionTracker, type Observation } from '../../src/core/topology/connections.js';
import type { TcpSocket, TcpState } from '../../src/core/proc-net.js';

const owners: Record<string, string> = { '10.0.0.1': 'api', '10.0.0.2': 'redis', '10.0.0.3': 'worker' };
const ownerOf = (ip: string) => owners[ip];
const sock = (l: string, r: string, state: TcpState = 'ESTABLISHED'): TcpSocket => {
  const [li, lp] = l.split(':');
  const [ri, rp] = r.split(':');
  return { local: { ip: li!, port: Number(lp) }, remote: { ip: ri!, port: Number(rp) }, state };
};
const listen = (port: number) => sock(`0.0.0.0:${port}`, '0.0.0.0:0', 'LISTEN');
const obs = (node: string, sockets: TcpSocket[], fresh = false): Observation => ({ node, member: node + '-id', sockets, fresh });

describe('topology connections: new TCP connections between nodes', () => {
  it('the first read is a baseline: connections already open are not counted', () => {
    const t = new ConnectionTracker();
    expect(t.poll([obs('api', [sock('10.0.0.1:40000', '10.0.0.2:6379')]), obs('redis', [listen(6379)])], ownerOf)).toEqual([]);
  });

  it('counts a connection seen from both ends once, client -> server', () => {
    const t = new ConnectionTracker();
    t.poll([obs('api', []), obs('redis', [listen(6379)])], ownerOf);
    const found = t.poll([obs('api', [sock('10.0.0.1:40000', '10.0.0.2:6379')]), obs('redis', [listen(6379), sock('10.0.0.2:6379', '10.0.0.1:40000', 'TIME_WAIT')])], ownerOf);
    expect(found).toEqual([{ from: 'api', to: 'redis' }]);
  });

  it('tells the direction from the listening side when only the server still sees it', () => {
    const t = new ConnectionTracker();
    t.poll([obs('api', []), obs('redis', [listen(6379)])], ownerOf);
    expect(t.poll([obs('api', []), obs('redis', [listen(6379), sock('10.0.0.2:6379', '10.0.0.1:40001', 'TIME_WAIT')])], ownerOf)).toEqual([{ from: 'api', to: 'redis' }]);
  });

  it('does not count a connection again while it stays open, and counts each new one', () => {
    const t = new ConnectionTracker();
    t.poll([obs('api', []), obs('worker', [])], ownerOf);
    const one = [sock('10.0.0.1:40000', '10.0.0.2:6379')];
    expect(t.poll([obs('api', one), obs('worker', [])], ownerOf)).toHaveLength(1);
    expect(t.poll([obs('api', one), obs('worker', [])], ownerOf)).toHaveLength(0);
    const three = [...one, sock('10.0.0.1:40001', '10.0.0.2:6379'), sock('10.0.0.3:50000', '10.0.0.2:6379', 'SYN_SENT')];
    expect(t.poll([obs('api', three.slice(0, 2)), obs('worker', three.slice(2))], ownerOf)).toEqual([
      { from: 'api', to: 'redis' },
      { from: 'worker', to: 'redis' },
    ]);
  });

  it('a container first read later (not fresh) is a baseline too', () => {
    const t = new ConnectionTracker();
    t.poll([obs('redis', [listen(6379)])], ownerOf);
    expect(t.poll([obs('redis', [listen(6379)]), obs('api', [sock('10.0.0.1:40000', '10.0.0.2:6379')])], ownerOf)).toEqual([]);
  });

  it('counts the first read of a fresh container (started while watching)', () => {
    const t = new ConnectionTracker();
    t.poll([obs('redis', [listen(6379)])], ownerOf);
    expect(t.poll([obs('redis', [listen(6379)]), obs('api', [sock('10.0.0.1:40000', '10.0.0.2:6379')], true)], ownerOf)).toEqual([{ from: 'api', to: 'redis' }]);
  });

  it('ignores listeners, unknown peers, loopback and a node talking to itself', () => {
    const t = new ConnectionTracker();
    t.poll([obs('api', [])], ownerOf);
    const sockets = [listen(80), sock('10.0.0.1:40000', '8.8.8.8:53'), sock('127.0.0.1:40000', '127.0.0.1:80'), sock('10.0.0.1:40002', '10.0.0.1:80')];
    expect(t.poll([obs('api', sockets)], ownerOf)).toEqual([]);
  });
});
