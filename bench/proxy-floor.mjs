// Two floors under `berth serve` for bench/proxy.mjs, which runs them beside nginx and berth so
// that berth's throughput can be read against what Node itself can do on the same machine:
//
//   undici  a bare node:http server that forwards every request through an undici pool (as berth
//           does) and pipes the answer back: no routing, no headers policy, no activity, no metrics.
//   raw     a bare TCP forwarder that frames HTTP/1.1 itself: one upstream socket per client
//           connection, request heads copied with Connection/Keep-Alive dropped and X-Forwarded-*
//           added, answers framed by Content-Length only. It handles only what wrk sends (GETs
//           without bodies, answers with a length) and none of the checks a real proxy needs
//           against request smuggling: an upper bound on Node's I/O cost, not a proxy to ship.
//
// Usage: node bench/proxy-floor.mjs undici|raw LISTEN_PORT BACKEND_PORT
import http from 'node:http';
import net from 'node:net';
import { Pool } from 'undici';

const [mode, listen, backend] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];

if (mode === 'undici') {
  const pool = new Pool(`http://127.0.0.1:${backend}`, { connections: 512, headersTimeout: 0, bodyTimeout: 0 });
  http
    .createServer(async (req, res) => {
      try {
        const up = await pool.request({ method: req.method, path: req.url, headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress }, body: req.method === 'GET' ? null : req });
        res.writeHead(up.statusCode, up.headers);
        for await (const chunk of up.body) res.write(chunk);
        res.end();
      } catch {
        res.destroy();
      }
    })
    .listen(listen, '127.0.0.1');
} else if (mode === 'raw') {
  const HOP = /^(connection|keep-alive):/i;
  const copyHead = (head, extra) => {
    const lines = head.split('\r\n');
    let out = '';
    for (const l of lines) if (!HOP.test(l)) out += `${l}\r\n`;
    return `${out}${extra}\r\n`;
  };
  net
    .createServer({ noDelay: true }, (client) => {
      let upstream;
      let fromClient = Buffer.alloc(0);
      let fromUp = Buffer.alloc(0);
      let bodyLeft = -1; // bytes of the current answer's body still to copy; -1 while reading a head
      const onAnswer = (d) => {
        fromUp = fromUp.length ? Buffer.concat([fromUp, d]) : d;
        for (;;) {
          if (bodyLeft < 0) {
            const end = fromUp.indexOf('\r\n\r\n');
            if (end < 0) return;
            const head = fromUp.subarray(0, end).toString('latin1');
            bodyLeft = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
            client.write(copyHead(head, ''));
            fromUp = fromUp.subarray(end + 4);
          }
          const n = Math.min(bodyLeft, fromUp.length);
          if (n > 0) client.write(fromUp.subarray(0, n));
          fromUp = fromUp.subarray(n);
          bodyLeft -= n;
          if (bodyLeft > 0) return;
          bodyLeft = -1;
        }
      };
      client.on('data', (d) => {
        fromClient = fromClient.length ? Buffer.concat([fromClient, d]) : d;
        for (let end = fromClient.indexOf('\r\n\r\n'); end >= 0; end = fromClient.indexOf('\r\n\r\n')) {
          const head = fromClient.subarray(0, end).toString('latin1');
          fromClient = fromClient.subarray(end + 4);
          if (!upstream) {
            upstream = net.connect({ port: backend, host: '127.0.0.1', noDelay: true });
            upstream.on('data', onAnswer);
            upstream.on('error', () => client.destroy());
            upstream.on('close', () => client.destroy());
          }
          upstream.write(copyHead(head, `X-Forwarded-For: ${client.remoteAddress}\r\n`));
        }
      });
      client.on('error', () => {});
      client.on('close', () => upstream?.destroy());
    })
    .listen(listen, '127.0.0.1');
} else {
  console.error('usage: node bench/proxy-floor.mjs undici|raw LISTEN_PORT BACKEND_PORT');
  process.exit(2);
}
