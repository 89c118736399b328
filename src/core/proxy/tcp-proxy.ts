/**
 * TCP routes: one listener per `berth.proxy.tcp` port. A connection to a
 * sleeping container wakes it (the client's first bytes wait in the socket
 * meanwhile), then bytes are spliced both ways. Open connections and bytes
 * in both directions count as activity.
 */
import net from 'node:net';
import { isAllowed } from './access.js';
import { connectRoute, splice } from './websocket.js';
import type { ProxyContext } from './front-context.js';
import type { TcpMapping } from './routes.js';

export function handleTcpConnection(ctx: ProxyContext, listen: number, socket: net.Socket): void {
  socket.on('error', () => {});
  const route = ctx.table().byTcp.get(listen);
  const life = route && ctx.life(route.container);
  if (!route || !life || !isAllowed(ctx.access, socket.remoteAddress)) return void socket.destroy();
  const mapping = route.tcp.find((t: TcpMapping) => t.listen === listen)!;
  const name = route.container;
  ctx.metrics.tcpConnections.inc({ route: name });
  ctx.onRequest(name);
  const end = ctx.activity.begin(name);
  socket.pause();
  void (async () => {
    try {
      const up = await connectRoute(ctx, life, mapping.upstream);
      socket.resume();
      await splice(socket, up, (dir, n) => {
        ctx.activity.touch(name);
        ctx.metrics.tcpBytes.inc({ route: name, direction: dir }, n);
      });
    } catch {
      socket.destroy();
    } finally {
      end();
    }
  })();
}

export function listenTcp(ctx: ProxyContext, host: string, port: number): Promise<net.Server> {
  const server = net.createServer((s) => handleTcpConnection(ctx, port, s));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => (server.off('error', reject), resolve(server)));
  });
}
