import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { berth, removeContainer } from '../helpers/docker.js';
import { LineCollector } from '../helpers/lines.js';
import { ServeHarness, engineEvents, httpdCmd, isRunning, request, startCount, waitFor, wakeFrames } from './serve-harness.js';

const h = new ServeHarness();
const host = (n: string) => `${n}-${h.run}.test`;
const FAST_STOP = { 'berth.idle.stop_method': 'kill' };
const ECHO_CGI = `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\necho "got:$(head -c $CONTENT_LENGTH)"\\necho "xff:$HTTP_X_FORWARDED_FOR host:$HTTP_X_FORWARDED_HOST proto:$HTTP_X_FORWARDED_PROTO"\\n' > /www/cgi-bin/echo && chmod +x /www/cgi-bin/echo`;
const COUNT_CGI = `printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\nhead -c $CONTENT_LENGTH | wc -c\\n' > /www/cgi-bin/count && chmod +x /www/cgi-bin/count`;
const c: Record<string, string> = {};
/** A dependency of c.steps (not a route). */
let stepsDep = '';

beforeAll(async () => {
  const page = (text: string) => `echo ${text} > /www/index.html`;
  c.api = await h.container('api', httpdCmd(`${ECHO_CGI} && ${COUNT_CGI}`), { 'berth.proxy.host': host('api'), 'berth.proxy.port': '8080' });
  c.many = await h.container('many', httpdCmd(page('many-ok')), { 'berth.proxy.host': host('many'), 'berth.proxy.port': '8080' });
  c.page = await h.container('page', httpdCmd(page('page-ok')), { 'berth.proxy.host': host('page'), 'berth.proxy.port': '8080' });
  c.quiet = await h.container('quiet', httpdCmd(page('quiet-ok')), { 'berth.proxy.host': host('quiet'), 'berth.proxy.port': '8080' });
  c.ignore = await h.container('ign', httpdCmd(`${page('ign-ok')} && echo ok > /www/healthz`), {
    'berth.proxy.host': host('ign'),
    'berth.proxy.port': '8080',
    'berth.proxy.ignore': '/healthz,UptimeRobot',
    'berth.idle.timeout': '2s',
    ...FAST_STOP,
  });
  c.gated = await h.container('gate', httpdCmd(`mkdir -p /www/wake && ${page('gate-ok')} && cp /www/index.html /www/wake/`), {
    'berth.proxy.host': host('gate'),
    'berth.proxy.port': '8080',
    'berth.idle.start_endpoint': '/wake',
  });
  stepsDep = await h.container('stepsdep', 'exec sleep 3600', {});
  c.steps = await h.container('steps', httpdCmd(page('steps-ok')), {
    'berth.proxy.host': host('steps'),
    'berth.proxy.port': '8080',
    'berth.idle.probe': 'http://container:8080/',
    'berth.idle.depends_on': stepsDep,
  });
  c.broken = await h.container('broken', 'exit 3', { 'berth.proxy.host': host('broken'), 'berth.proxy.port': '8080', 'berth.idle.probe': 'http://container:8080/' });
  await h.start();
}, 90_000);

afterAll(async () => {
  await h.stop();
  await Promise.all(h.made.map(removeContainer));
});

describe('berth serve: HTTP', () => {
  it('holds a cold API request (body buffered) and answers it from the app, not with HTML', async () => {
    expect(await isRunning(c.api!)).toBe(false);
    const res = await request(h.port, host('api'), '/cgi-bin/echo', { method: 'POST', body: 'hello-body', headers: { accept: 'application/json', 'content-type': 'text/plain' } });
    expect(res.status, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body).toContain('got:hello-body');
    expect(res.body).toContain(`xff:127.0.0.1 host:${host('api')} proto:http`);
    expect(await isRunning(c.api!)).toBe(true);
  });

  it('streams a request body larger than the hold limit to an awake container', async () => {
    const size = 3 * 1024 * 1024;
    const res = await request(h.port, host('api'), '/cgi-bin/count', { method: 'POST', body: 'z'.repeat(size), headers: { 'content-type': 'application/octet-stream' } });
    expect(res.status).toBe(200);
    expect(res.body.trim()).toBe(String(size));
  });

  it('starts a container once for 50 concurrent cold requests, and answers all of them', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const answers = await Promise.all(Array.from({ length: 50 }, () => request(h.port, host('many'), '/index.html')));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    expect(new Set(answers.map((a) => a.body.trim()))).toEqual(new Set(['many-ok']));
    expect(await startCount(c.many!, since)).toBe(1);
    const wakes = h.records<{ type: string; event: string; container: string }>().filter((r) => r.type === 'wake' && r.container === c.many && r.event === 'starting');
    expect(wakes).toHaveLength(1);
  });

  it("gives a browser's HTML GET the loading page at once, and the wake goes on without it", async () => {
    const res = await request(h.port, host('page'), '/', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toContain(`Waking <span id="name">${c.page}</span>`);
    expect(res.body).toContain('/$berth/loading.js');
    const state = async () =>
      (JSON.parse((await request(h.port, host('page'), '/$berth/status')).body) as { routes: Array<{ container: string; state: string }> }).routes.find((r) => r.container === c.page)?.state;
    await waitFor(async () => (await state()) === 'ready', 30_000);
    expect(await isRunning(c.page!)).toBe(true);
    const js = await request(h.port, host('page'), '/$berth/loading.js');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.body).toContain("new EventSource('/$berth/wake-events')");
    const app = await request(h.port, host('page'), '/', { headers: { accept: 'text/html' } });
    expect(app.body.trim()).toBe('page-ok');
  });

  it('answers /$berth/status without waking anything', async () => {
    const res = await request(h.port, host('quiet'), '/$berth/status');
    expect(res.status).toBe(200);
    const doc = JSON.parse(res.body) as { routes: Array<{ container: string; state: string; lastActivity: string | null; sleepsInSec: number | null }> };
    const mine = doc.routes.find((r) => r.container === c.quiet)!;
    expect(mine).toMatchObject({ state: 'napping', lastActivity: null, sleepsInSec: null });
    expect(doc.routes.map((r) => r.container)).toEqual(Object.values(c).sort());
    // a later status answer: serve still has it napping (a wake would have made it starting at the request)
    const again = JSON.parse((await request(h.port, host('quiet'), '/$berth/status')).body) as typeof doc;
    expect(again.routes.find((r) => r.container === c.quiet)).toMatchObject({ state: 'napping' });
    expect(await isRunning(c.quiet!)).toBe(false);
  });

  it('an ignored health-check path or user agent neither wakes nor keeps awake', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const hc = await request(h.port, host('ign'), '/healthz');
    expect(hc.status).toBe(503);
    expect(hc.headers['retry-after']).toBe('5');
    const bot = await request(h.port, host('ign'), '/', { headers: { 'user-agent': 'Mozilla/5.0 (compatible; UptimeRobot/2.0)' } });
    expect(bot.status).toBe(503);
    expect(await isRunning(c.ignore!)).toBe(false);
    expect((await request(h.port, host('ign'), '/index.html')).body.trim()).toBe('ign-ok');
    const t0 = Date.now();
    let polls = 0;
    const stopped = waitFor(async () => !(await isRunning(c.ignore!)), 20_000, 200);
    const poller = (async () => {
      while (Date.now() - t0 < 20_000 && (await isRunning(c.ignore!))) {
        const r = await request(h.port, host('ign'), '/healthz');
        if (r.status === 200) polls++;
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    await stopped;
    await poller;
    // the health check reached the app while it was up, every 250 ms, and still the container slept (within
    // `stopped`'s 20 s: counted as activity, those polls would keep it up for as long as they go on)
    expect(polls).toBeGreaterThan(3);
    expect(await startCount(c.ignore!, since)).toBe(1);
  });

  it('wakes only from berth.idle.start_endpoint paths; others get 503 with Retry-After', async () => {
    const other = await request(h.port, host('gate'), '/other');
    expect(other.status).toBe(503);
    expect(other.headers['retry-after']).toBe('5');
    expect(await isRunning(c.gated!)).toBe(false);
    const ok = await request(h.port, host('gate'), '/wake/index.html');
    expect(ok.status).toBe(200);
    expect(ok.body.trim()).toBe('gate-ok');
  });

  it('after a failed wake: 503 with Retry-After for an API client, an error page for a browser, the reason in neither (no token)', async () => {
    const api = await request(h.port, host('broken'), '/data', { headers: { accept: 'application/json' } });
    expect(api.status).toBe(503);
    expect(api.headers['retry-after']).toBe('5');
    expect(JSON.parse(api.body)).toMatchObject({ kind: 'exited', container: c.broken, detail: "the wake failed (the reason is in berth serve's output)" });
    const page = await request(h.port, host('broken'), '/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(503);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/could not be woken<\/h1>[\s\S]*the wake failed \(the reason is in berth serve&#39;s output\)/);
    expect(api.body + page.body).not.toMatch(/exited with code/);
    // the reason is in serve's own output
    expect(
      h.records<{ type: string; event?: string; container?: string; message?: string }>().some((r) => r.event === 'error' && r.container === c.broken && /exited with code 3/.test(r.message ?? '')),
    ).toBe(true);
  });

  it('shows an anonymous visitor (no token configured) only the steps of a wake: no dependency names, budgets or checks, in the page or its event stream', async () => {
    const frames = wakeFrames(h.port, c.steps!);
    const page = await request(h.port, host('steps'), '/', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.body).toContain(`Waking <span id="name">${c.steps}</span>`);
    const sse = await frames;
    const data = [...sse.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!) as { event: string; message: string; step?: number; steps?: number; dep?: string });
    expect(data.map((d) => [d.event, d.message, d.step, d.steps])).toEqual([
      ['starting', `waking ${c.steps}`, 1, 6],
      ['waking_dep', 'starting a dependency', 2, 6],
      ['dep_ready', 'a dependency is ready', 3, 6],
      ['container_woke', `${c.steps} started`, 4, 6],
      ['waiting_ready', `waiting for ${c.steps} to be ready`, 5, 6],
      ['ready', `${c.steps} is ready`, 6, 6],
    ]);
    expect(page.body + sse).not.toContain(stepsDep);
    expect(page.body + sse).not.toMatch(/budget|probe|http:\/\/container|"dep"/);
  });

  it('limits what it holds and reads: 413 for a held body past --hold-body, 431 for a huge head', async () => {
    const big = await request(h.port, host('quiet'), '/upload', { method: 'POST', body: 'x'.repeat(1024 * 1024 + 1), headers: { 'content-type': 'application/octet-stream' } });
    expect(big.status).toBe(413);
    expect(big.body).toBe('berth: request body larger than 1048576 bytes while the container wakes\n');
    expect(await isRunning(c.quiet!)).toBe(false); // refused before waking
    const head = await request(h.port, host('quiet'), '/', { headers: { 'x-big': 'y'.repeat(20 * 1024) } }).catch((e: Error) => e);
    expect(head instanceof Error ? head.message : head.status).toBe(431);
  });

  it("answers a client that sends half a head 408 soon after --header-timeout, not at Node's next 30 s check", async () => {
    const slow = new ServeHarness();
    await slow.start(['--header-timeout', '1s']);
    try {
      const t0 = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const s = net.connect(slow.port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x.test\r\n'));
        let got = '';
        s.on('data', (d) => (got += d));
        s.on('close', () => resolve(got));
        s.on('error', reject);
        s.setTimeout(20_000, () => s.destroy());
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(Date.now() - t0).toBeLessThan(4000);
    } finally {
      await slow.stop();
    }
  });

  it('on SIGTERM finishes an idle stop it has begun, and prints it, before exiting', async () => {
    const own = new ServeHarness();
    // PID 1 ignores SIGTERM: the engine's stop takes the whole stop_timeout, then kills it
    const name = await own.container(
      'slowstop',
      "trap '' TERM; while true; do sleep 1; done",
      { 'berth.proxy.host': `slow-${own.run}.test`, 'berth.proxy.port': '8080', 'berth.idle.timeout': '1s', 'berth.idle.stop_timeout': '4s' },
      true,
    );
    try {
      const since = Math.floor(Date.now() / 1000) - 1;
      await own.start();
      // the stop has begun: the engine sent the container SIGTERM (its kill event)
      await waitFor(async () => (await engineEvents(since, [`container=${name}`, 'event=kill'])).length > 0, 20_000, 250);
      const t0 = Date.now();
      const res = await own.stop('SIGTERM');
      expect(res!.exitCode).toBe(143);
      expect(Date.now() - t0).toBeGreaterThan(1000); // it waited for the engine's stop
      expect(await isRunning(name)).toBe(false);
      const slept = own.records<{ type: string; container: string; to: string; action?: string }>().filter((r) => r.type === 'idle' && r.container === name && r.to === 'napping');
      expect(slept).toMatchObject([{ action: 'stop' }]);
      expect(own.stderr).toContain('shutdown: finishing a stop already begun');
    } finally {
      await removeContainer(name);
    }
  });

  it("refuses to start (exit 2) when a TCP route's port is taken, as for --listen", async () => {
    const own = new ServeHarness();
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const port = (holder.address() as net.AddressInfo).port;
    const name = await own.container('taken', 'sleep 60', { 'berth.proxy.tcp': `${port}:5432` });
    try {
      const res = await berth(['serve', '--listen', '127.0.0.1:0', '--json', '--filter', `label=berth.test.serve=${own.run}`]);
      expect(res.exitCode).toBe(2);
      expect(res.stderr).toBe(`berth: berth.proxy.tcp: cannot listen on 127.0.0.1:${port}: the address is in use`);
    } finally {
      holder.close();
      await removeContainer(name);
    }
  });

  it('refuses unknown hosts: never an open proxy', async () => {
    const res = await request(h.port, 'example.com', '/');
    expect(res.status).toBe(404);
    expect(res.body).toContain('no route for host "example.com"');
  });

  it('the listening record names the address actually bound, not the text given to --listen', async () => {
    // Ended once it has said where it listens (however long a loaded machine takes to get there).
    const child = berth(['serve', '--listen', 'localhost:0', '--json', '--filter', 'label=berth.test.no-such-route=1'], { timeout: 60_000, killSignal: 'SIGTERM' });
    const out = new LineCollector(child.stdout!);
    await out.until((ls) => ls.some((l) => l.line.includes('"listening"')), 60_000);
    child.kill('SIGTERM');
    await child;
    const rec = out.json<{ event: string; listen: string }>().find((r) => r.event === 'listening')!;
    expect(rec.listen).toMatch(/^(127\.0\.0\.1|\[::1\]):\d+$/);
    expect(rec.listen).not.toMatch(/:0$/);
  });

  it('serves metrics that parse as Prometheus text, with the counts of this run', async () => {
    const res = await request(h.port, host('api'), '/$berth/metrics');
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0.0.4/);
    const samples = parsePrometheus(res.body);
    const value = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(value('berth_proxy_requests_total', { route: c.many!, code: '200' })).toBe(50);
    expect(value('berth_proxy_wakes_total', { route: c.many!, result: 'ok' })).toBe(1);
    expect(value('berth_proxy_wakes_total', { route: c.broken!, result: 'error' })).toBe(1);
    expect(value('berth_proxy_route_state', { route: c.many!, state: 'ready' })).toBe(1);
    expect(value('berth_proxy_route_state', { route: c.quiet!, state: 'napping' })).toBe(1);
    expect(value('berth_proxy_stops_total', { route: c.ignore!, reason: 'idle' })).toBe(1);
    expect(value('berth_proxy_wake_duration_seconds_count', { route: c.many! })).toBe(1);
    const buckets = samples.filter((s) => s.name === 'berth_proxy_wake_duration_seconds_bucket' && s.labels.route === c.many);
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
  });
});

describe('berth serve: access and flags', () => {
  it('denied clients are refused before a wake, on every endpoint', async () => {
    const h2 = new ServeHarness();
    const name = await h2.container('deny', httpdCmd('echo x > /www/index.html'), { 'berth.proxy.host': `deny-${h2.run}.test`, 'berth.proxy.port': '8080' });
    try {
      await h2.start(['--deny', '127.0.0.0/8']);
      expect((await request(h2.port, `deny-${h2.run}.test`, '/')).status).toBe(403);
      expect((await request(h2.port, 'x', `/$berth/wake-events?container=${name}`)).status).toBe(403);
      expect((await request(h2.port, 'x', '/$berth/status')).status).toBe(403);
      expect(await isRunning(name)).toBe(false);
    } finally {
      await h2.stop();
      await removeContainer(name);
    }
  });

  it('routes containers named in the --config file (nested keys); admin endpoints need the bearer token; Ctrl-C exits 130 quietly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-serve-'));
    writeFileSync(join(dir, 'token'), 's3cret\n');
    const h3 = new ServeHarness();
    const name = await h3.container('cfg', httpdCmd('echo from-config > /www/index.html'), {});
    writeFileSync(join(dir, 'berth.yaml'), `containers:\n  ${name}:\n    proxy:\n      host: cfg-${h3.run}.test\n      port: 8080\n`);
    try {
      await h3.start(['--config', join(dir, 'berth.yaml'), '--token-file', join(dir, 'token')]);
      const res = await request(h3.port, `cfg-${h3.run}.test`, '/index.html');
      expect(res.status).toBe(200);
      expect(res.body.trim()).toBe('from-config');
      const anon = await request(h3.port, 'x', '/$berth/status');
      expect(anon.status).toBe(401);
      expect(anon.headers['www-authenticate']).toBe('Bearer realm="berth"');
      expect((await request(h3.port, 'x', '/$berth/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await request(h3.port, 'x', '/$berth/status', { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect((await request(h3.port, `cfg-${h3.run}.test`, '/$berth/loading.js')).status).toBe(200); // the loading page needs no token
      const exit = await h3.stop('SIGINT');
      expect(exit!.exitCode).toBe(130);
      expect(h3.stderr).toBe('');
    } finally {
      await h3.stop('SIGKILL');
      await removeContainer(name);
    }
  });

  it.each([
    [['--listen', 'nowhere'], /^berth: --listen: expected PORT, HOST:PORT or \[IPV6\]:PORT \(got: "nowhere"\)$/],
    [['--allow', '10.0.0.0/33'], /^berth: --allow: expected an address or CIDR/],
    [['--hold-body', 'lots'], /^berth: --hold-body: expected a size like 512, 64k, 1m/],
    [['--stats-interval', '0s'], /^berth: --stats-interval: expected a duration greater than 0/],
  ])('rejects %j naming the flag (exit 2)', async (args, message) => {
    const res = await berth(['serve', ...args]);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.trim()).toMatch(message);
  });
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format: every line is a comment, HELP/TYPE, or a sample of a declared family. */
function parsePrometheus(text: string): Sample[] {
  const types = new Map<string, string>();
  const out: Sample[] = [];
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(meta[3]);
        types.set(meta[2]!, meta[3]!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.e+]+|\+Inf|-Inf|NaN)$/.exec(line);
    expect(m, `not a Prometheus line: ${line}`).toBeTruthy();
    const name = m![1]!;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    expect(types.has(name) || types.get(family) === 'histogram', `sample of an undeclared family: ${line}`).toBe(true);
    const labels: Record<string, string> = {};
    for (const l of (m![2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name, labels, value: Number(m![3]) });
  }
  return out;
}
