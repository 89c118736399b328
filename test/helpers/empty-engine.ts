/**
 * A second engine that has no containers, on 127.0.0.1, for the multi-engine rules ("a name on whichever
 * engine has it"). One machine has one real engine; a second real one would need a second dockerd. This
 * stands in for "another engine, which lacks this container": it answers the few endpoints berth asks
 * (version, an empty container list, 404 for any container, an event stream that stays open) and
 * nothing else. Everything about the containers themselves still comes from the real engine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EmptyEngine {
  host: string;
  close(): Promise<void>;
}

export async function emptyEngine(): Promise<EmptyEngine> {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').replace(/^\/v[0-9.]+/, '').split('?')[0]!;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/version') return json(200, { ApiVersion: '1.45', Version: 'empty' });
    if (path === '/_ping') return void res.end('OK');
    if (path === '/containers/json') return json(200, []);
    const m = /^\/containers\/([^/]+)\//.exec(path);
    if (m) return json(404, { message: `No such container: ${decodeURIComponent(m[1]!)}` });
    if (path === '/events') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      open.add(res);
      res.on('close', () => open.delete(res));
      return;
    }
    json(404, { message: 'page not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `tcp://127.0.0.1:${port}`,
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `tcp://127.0.0.1:${port}`;
}
