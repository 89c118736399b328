/**
 * TCP routes: one listener per `berth.proxy.tcp` port (TcpListeners opens
 * and closes them as routes come and go). A connection to a sleeping
 * container wakes it (the client's first bytes wait in the socket
 * meanwhile), then bytes are spliced both ways. Open connections and bytes
 * in both directions count as activity.
 */
import net from 'node:net';
import { BerthError } from '../errors.js';
import { isAllowed } from './access.js';
import { connectRoute, splice } from './websocket.js';
import type { ProxyContext } from './front-context.js';
import type { TcpMapping } from './routes.js';
import { listenFailure } from './listen.js';

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

/** One net.Server per TCP route port, opened and closed as routes come and go. */
export class TcpListeners {
  private readonly servers = new Map<number, net.Server>();
  private readonly sockets = new Set<net.Socket>();

  constructor(
    private readonly ctx: ProxyContext,
    private readonly host: string,
    private readonly warn: (m: string) => void,
  ) {}

  /** Opens and closes listeners to match `ports`. At startup a port that cannot be bound stops serve (exit 2), as --listen does; later it is a warning. */
  async sync(ports: Iterable<number>, startup = false): Promise<void> {
    const want = new Set(ports);
    for (const [port, s] of this.servers) {
      if (want.has(port)) continue;
      s.close();
      this.servers.delete(port);
    }
    for (const port of want) {
      if (this.servers.has(port)) continue;
      try {
        const server = await listenTcp(this.ctx, this.host, port);
        server.on('connection', (sock: net.Socket) => (this.sockets.add(sock), sock.once('close', () => this.sockets.delete(sock))));
        this.servers.set(port, server);
      } catch (err) {
        const why = listenFailure(err as NodeJS.ErrnoException);
        if (startup) throw new BerthError('USAGE', `berth.proxy.tcp: cannot listen on ${this.host}:${port}: ${why}`, { cause: err });
        this.warn(`cannot listen on TCP ${this.host}:${port}: ${why}`);
      }
    }
  }

  /** Stops accepting; resolves when every open TCP connection has ended. */
  closeAll(): Promise<void> {
    return Promise.all([...this.servers.values()].map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {});
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
    this.servers.clear();
  }
}
