// Shared by the HTTP proxy benchmarks (proxy.mjs, gate.mjs): free ports, waiting for a server to answer,
// wrk runs read into numbers, medians.
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

export const freePort = () =>
  new Promise((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => r(p));
    });
  });

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to a minute) until `port` answers 200 to a GET / for `host`. */
export async function waitHttp(port, host, what) {
  for (let i = 0; i < 600; i++) {
    const ok = await new Promise((r) => {
      // write, not end: a proxy (nginx, berth) may take a half-closed client for one that left and answer nothing.
      const s = net.connect(port, '127.0.0.1', () => s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
      s.setTimeout(2000, () => s.destroy());
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('close', () => r(got.startsWith('HTTP/1.1 200')));
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${what}: nothing answers 200 on port ${port}`);
}

/** Resolves with the ms from `t0` to the first byte of a 200 answer to GET `path` for `host` (plus `headers`), or rejects. */
export const firstByte = (port, host, path, t0, headers = {}) =>
  new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host, ...headers }, agent: false }, (res) => {
      res.once('data', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`status ${res.statusCode}`))));
      res.resume();
    });
    req.on('error', reject);
  });

/** The state of `name`'s route in serve's /$berth/status on `port` (undefined: no such route yet). */
export const routeState = (port, name) =>
  new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/$berth/status', agent: false }, (res) => {
        let b = '';
        res.on('data', (d) => (b += d));
        res.on('end', () => resolve(JSON.parse(b).routes.find((r) => r.container === name)?.state));
      })
      .on('error', reject);
  });

/** Kills container `name` and waits until serve on `port` has its route napping (then 300 ms more). */
export async function napping(port, name) {
  execFileSync('docker', ['kill', name], { stdio: 'ignore' });
  for (let i = 0; i < 300 && (await routeState(port, name)) !== 'napping'; i++) await sleep(50);
  await sleep(300);
}

function toMs(v) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]];
}

/**
 * One wrk run (`conns` connections, `seconds`): requests/s, p50 and p99 latency (ms), and its error line if any.
 * Options: `threads` (default 2), `cpu` (pin wrk to these CPUs with taskset), `path` (default /), `headers`.
 */
export function wrk(port, host, seconds, conns, { threads = 2, cpu, path = '/', headers = {} } = {}) {
  const args = [
    `-t${threads}`,
    `-c${conns}`,
    `-d${seconds}s`,
    '--latency',
    '-H',
    `Host: ${host}`,
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    `http://127.0.0.1:${port}${path}`,
  ];
  const out = cpu === undefined ? execFileSync('wrk', args, { encoding: 'utf8' }) : execFileSync('taskset', ['-c', cpu, 'wrk', ...args], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const requests = Number(/(\d+) requests in/.exec(out)[1]);
  const p50 = toMs(/^\s+50%\s+([\d.]+\w+)/m.exec(out)[1]);
  const p99 = toMs(/^\s+99%\s+([\d.]+\w+)/m.exec(out)[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out)?.[0];
  return { rps, requests, p50, p99, errors };
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * A route whose upstream is a server on the host: a host-network busybox container named `name`, labelled
 * for `berth serve --filter label=berth.bench=PID`, routing `host` to 127.0.0.1:`port`; it runs `cmd` (default: sleeps).
 */
export function hostRoute(name, host, port, cmd = ['sleep', '3600']) {
  const labels = [`berth.bench=${process.pid}`, `berth.proxy.host=${host}`, `berth.proxy.port=${port}`].flatMap((l) => ['--label', l]);
  execFileSync('docker', ['run', '-d', '--name', name, '--network', 'host', ...labels, 'berth-test/busybox', ...cmd]);
}

/** Runs `main`, then stops `children`, removes `container` (a name or several) and `dir`, also after a failure (exit 1, one line). */
export function runBench(name, main, { children, container, dir }) {
  const cleanup = () => {
    for (const c of children) c.kill('SIGTERM');
    try {
      execFileSync('docker', ['rm', '-f', ...[container].flat()], { stdio: 'ignore' });
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  main().then(cleanup, (err) => {
    cleanup();
    console.error(`bench/${name}: ${err.message}`);
    process.exit(1);
  });
}

/** A `start(cmd, args, opts)` that spawns a child into `children` (stopped by runBench), its stderr prefixed on ours. */
export const starter =
  (children) =>
  (cmd, args, opts = {}) => {
    const c = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    c.stderr.on('data', (d) => process.stderr.write(`${cmd.split('/').pop()}: ${d}`));
    children.push(c);
    return c;
  };
