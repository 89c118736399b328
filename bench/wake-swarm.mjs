#!/usr/bin/env node
// Wake latency of a swarm service: `berth wake --service NAME` (scale back to its 3 replicas, then wait
// until every task runs) against the docker CLI doing the same in a shell (`docker service scale
// --detach`, then polling `docker service ls` every 100 ms until 3/3 run), on the same service of the 3-node
// test swarm (scripts/test-swarm.sh; brought up here when it is not, and taken down again), alternating,
// median of RUNS each. Between runs the service is scaled to 0 and its tasks waited gone.
// Second row, serve's first byte: `berth serve --stack` (in node 1's network namespace) in front of an httpd
// service with a host-mode published port, 3 replicas: the time from a request to a sleeping service to the
// first byte of the app's answer (curl's time_starttransfer) against docker doing the same (`docker service
// scale --detach`, then one curl on the published ports not yet answering every 100 ms until all three answer, which is
// what serve waits for), alternating, median of RUNS each.
// Usage (root): node bench/wake-swarm.mjs [runs]   (needs a built dist/)
import { execFileSync, spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BERTH = join(ROOT, 'bin', 'berth.js');
const RUNS = Number(process.argv[2] ?? 5);
const STATE = process.env.BERTH_SWARM_STATE ?? join(ROOT, '.test-swarm');
const host = (n) => `unix://${STATE}/n${n}/docker.sock`;
const env = { ...process.env, DOCKER_HOST: host(1) };
const nodes = ['--node', `berth-sw-n2=${host(2)}`, '--node', `berth-sw-n3=${host(3)}`];
const run = (cmd, args) =>
  execFileSync(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
const swarm = (action) => execFileSync('bash', [join(ROOT, 'scripts', 'test-swarm.sh'), action], { stdio: ['ignore', 'ignore', 'inherit'] });
const timeIt = (fn) => {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleepMs = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

let started = false;
try {
  execFileSync('bash', [join(ROOT, 'scripts', 'test-swarm.sh'), 'status']);
} catch {
  swarm('up');
  started = true;
}
const name = `berth-bench-wake-${process.pid}`;
const web = `berth-bench-web-${process.pid}`;
const stack = `berth-bench-st-${process.pid}`;
const PUBLISHED = 23_080;
const LISTEN = 23_081;
const inN1 = (cmd, args) =>
  execFileSync('nsenter', ['--net=/run/netns/berth-sw-n1', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    .toString()
    .trim();
const answers = (url, host) => {
  try {
    return inN1('curl', ['-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', ...(host ? ['-H', `Host: ${host}`] : []), url]) === '200';
  } catch {
    return false;
  }
};
let serve;
try {
  run('docker', [
    'service',
    'create',
    '--detach',
    '--no-resolve-image',
    '--name',
    name,
    '--replicas',
    '3',
    '--replicas-max-per-node',
    '1',
    '--stop-grace-period',
    '1s',
    'berth-sw/busybox:1',
    'sh',
    '-c',
    'exec sleep 3600',
  ]);
  const asleep = () => {
    run('docker', ['service', 'scale', '--detach', `${name}=0`]);
    while (run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', name]) !== '') sleepMs(100);
    for (const n of [1, 2, 3]) while (run('docker', ['-H', host(n), 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${name}`]) !== '') sleepMs(100);
  };
  const berth = [];
  const docker = [];
  for (let i = 0; i < RUNS; i++) {
    asleep();
    berth.push(timeIt(() => execFileSync('node', [BERTH, 'wake', '--service', name, '--json', ...nodes], { env, stdio: ['ignore', 'ignore', 'inherit'] })));
    asleep();
    docker.push(
      timeIt(() => {
        run('docker', ['service', 'scale', '--detach', `${name}=3`]);
        while (!run('docker', ['service', 'ls', '--filter', `name=${name}`, '--format', '{{.Replicas}}']).startsWith('3/3')) sleepMs(100);
      }),
    );
  }
  const b = median(berth);
  const d = median(docker);
  console.log(`swarm service wake, 3 replicas on 3 nodes, median of ${RUNS} runs each, alternating (lower is better)`);
  console.log(
    `berth wake --service ${b.toFixed(0).padStart(5)} ms   docker service scale + service ls loop ${d.toFixed(0).padStart(5)} ms   difference ${(b - d).toFixed(0)} ms, ratio ${(b / d).toFixed(2)}`,
  );
  run('docker', ['service', 'rm', name]);

  // serve's first byte on a sleeping service.
  run('docker', [
    ...['service', 'create', '--detach', '--no-resolve-image', '--name', web, '--replicas', '3', '--replicas-max-per-node', '1', '--stop-grace-period', '1s'],
    ...['--endpoint-mode', 'dnsrr', '--publish', `mode=host,target=8080,published=${PUBLISHED}`],
    ...['--label', `com.docker.stack.namespace=${stack}`, '--label', 'berth.proxy.host=web.bench', '--label', 'berth.proxy.port=8080', '--label', 'berth.idle.timeout=1h'],
    ...['berth-sw/busybox:1', 'sh', '-c', 'echo hi > /tmp/index.html; exec httpd -f -p 8080 -h /tmp'],
  ]);
  serve = spawn('nsenter', ['--net=/run/netns/berth-sw-n1', 'node', BERTH, 'serve', '--stack', stack, '--listen', `127.0.0.1:${LISTEN}`, '--json', ...nodes], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  serve.stdout.on('data', (d) => (out += d));
  const scaledDown = async () => {
    const naps = () => out.split('"to":"napping"').length;
    const before = naps();
    asleepService(web);
    // serve reads the scale back from the manager's events: wait for its record before the next request.
    while (naps() === before) await new Promise((r) => setTimeout(r, 50));
  };
  const asleepService = (svc) => {
    run('docker', ['service', 'scale', '--detach', `${svc}=0`]);
    while (run('docker', ['service', 'ps', '-q', '--filter', 'desired-state=running', svc]) !== '') sleepMs(100);
    for (const n of [1, 2, 3]) while (run('docker', ['-H', host(n), 'ps', '-q', '--filter', `label=com.docker.swarm.service.name=${svc}`]) !== '') sleepMs(100);
  };
  while (!answers(`http://127.0.0.1:${LISTEN}/`, 'web.bench')) sleepMs(200);
  const viaServe = [];
  const viaDocker = [];
  for (let i = 0; i < RUNS; i++) {
    await scaledDown();
    viaServe.push(Number(inN1('curl', ['-s', '-m', '120', '-o', '/dev/null', '-w', '%{time_starttransfer}', '-H', 'Host: web.bench', `http://127.0.0.1:${LISTEN}/`])) * 1000);
    await scaledDown();
    viaDocker.push(
      timeIt(() => {
        run('docker', ['service', 'scale', '--detach', `${web}=3`]);
        // One curl per round for the tasks not yet answering (one process, as a script would), every 100 ms.
        let left = [1, 2, 3];
        while (left.length) {
          let codes = [];
          try {
            codes = inN1('curl', ['-s', '-m', '2', ...left.flatMap((n) => ['-o', '/dev/null', '-w', '%{http_code}\\n', `http://10.99.0.1${n}:${PUBLISHED}/`])]).split('\n');
          } catch (err) {
            codes = String(err.stdout ?? '').split('\n'); // curl exits non-zero when the last URL failed
          }
          left = left.filter((_, i) => codes[i] !== '200');
          if (left.length) sleepMs(100);
        }
      }),
    );
  }
  const sv = median(viaServe);
  const dk = median(viaDocker);
  console.log(`serve's first byte on a sleeping service (3 replicas, host-mode ports), median of ${RUNS} runs each, alternating (lower is better)`);
  console.log(
    `berth serve --stack ${sv.toFixed(0).padStart(5)} ms   docker service scale + curl every task ${dk.toFixed(0).padStart(5)} ms   difference ${(sv - dk).toFixed(0)} ms, ratio ${(sv / dk).toFixed(2)}`,
  );
} finally {
  serve?.kill('SIGINT');
  for (const svc of [name, web]) {
    try {
      run('docker', ['service', 'rm', svc]);
    } catch {
      // removed already, or the swarm went away
    }
  }
  if (started) swarm('down');
}
