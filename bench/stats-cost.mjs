// What does following stats cost? N idle containers (default 20); `berth stats --json > /dev/null` and
// `docker stats > /dev/null` run side by side for S seconds (default 60) and their CPU seconds (user +
// system, from /proc) and peak RSS are compared. berth then keeps running alone until M minutes (default 10)
// and its RSS at the end is compared with its RSS after 1 minute. Targets: berth CPU seconds <= docker's;
// RSS after M minutes <= RSS after 1 minute + 5%. A bare Node reader of the same streams
// (bench/stats-floor.mjs) runs beside them, to show what Node itself costs for that I/O.
// Usage: node bench/stats-cost.mjs [--containers 20] [--seconds 60] [--minutes 10]
import { BERTH, cleanup, cpuSeconds, fmt, median, rssMiB, runContainer, sleep, spawnQuiet, arg } from './stats-lib.mjs';

const n = arg('containers', 20);
const seconds = arg('seconds', 60);
const minutes = arg('minutes', 10);
const tag = Math.random().toString(16).slice(2, 8);

function watchRss(pid, into) {
  const t = setInterval(() => {
    try {
      into.peak = Math.max(into.peak, rssMiB(pid));
    } catch {}
  }, 1000);
  return () => clearInterval(t);
}

async function rssWindow(pid) {
  const xs = [];
  for (let i = 0; i < 20; i++) {
    xs.push(rssMiB(pid));
    await sleep(1000);
  }
  return median(xs);
}

try {
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await runContainer(`berth-bench-cost-${tag}-${i}`, 'sleep 3600')).id);
  await sleep(2000);
  console.log(`${n} containers; both tools for ${seconds} s side by side, then berth alone until ${minutes} min`);
  const b = spawnQuiet('node', [BERTH, 'stats', '--json', ...ids]);
  const d = spawnQuiet('docker', ['stats', ...ids]);
  // Node's own floor for the same streams (parse only, no output): what berth costs beyond it is berth's.
  const f = spawnQuiet('node', [new URL('./stats-floor.mjs', import.meta.url).pathname, ...ids]);
  const bRss = { peak: 0 };
  const dRss = { peak: 0 };
  const stopB = watchRss(b.pid, bRss);
  const stopD = watchRss(d.pid, dRss);
  const warm = Math.min(10, seconds / 2);
  await sleep(warm * 1000);
  const bWarm = cpuSeconds(b.pid);
  const dWarm = cpuSeconds(d.pid);
  const fWarm = cpuSeconds(f.pid);
  await sleep((seconds - warm) * 1000);
  const bCpu = cpuSeconds(b.pid);
  const dCpu = cpuSeconds(d.pid);
  const fCpu = cpuSeconds(f.pid);
  f.kill('SIGTERM');
  stopD();
  d.kill('SIGKILL'); // the docker CLI ignores SIGINT when its output is not a terminal
  console.log(`CPU seconds in ${seconds} s: berth ${fmt(bCpu)}, docker ${fmt(dCpu)}, ratio berth/docker ${fmt(bCpu / dCpu)} (target <= 1): ${bCpu <= dCpu ? 'met' : 'NOT met'}`);
  const bSteady = ((bCpu - bWarm) / (seconds - warm)) * 1000;
  const dSteady = ((dCpu - dWarm) / (seconds - warm)) * 1000;
  console.log(
    `steady state (${warm}-${seconds} s, start-up excluded): berth ${fmt(bSteady, 1)} ms CPU/s, docker ${fmt(dSteady, 1)} ms CPU/s, ratio ${fmt(bSteady / dSteady)}; berth's first ${warm} s (node start-up included): ${fmt(bWarm)} s`,
  );
  const fSteady = ((fCpu - fWarm) / (seconds - warm)) * 1000;
  console.log(
    `Node's floor (bench/stats-floor.mjs: the same streams parsed, nothing printed): ${fmt(fCpu)} CPU s in ${seconds} s, steady state ${fmt(fSteady, 1)} ms CPU/s, first ${warm} s ${fmt(fWarm)} s`,
  );
  console.log(`peak RSS in ${seconds} s: berth ${fmt(bRss.peak, 1)} MiB, docker ${fmt(dRss.peak, 1)} MiB`);
  if (seconds < 60) await sleep((60 - seconds) * 1000);
  // RSS moves with the garbage collector from one second to the next: compare medians over 20 s windows.
  const rss1 = await rssWindow(b.pid);
  console.log(`berth RSS after 1 min: ${fmt(rss1, 1)} MiB (median of 20 s)`);
  if (minutes > 1) {
    const cpu1 = cpuSeconds(b.pid);
    const t1 = Math.max(60, seconds) + 20; // the 1-minute window ended here
    await sleep((minutes * 60 - 20 - t1) * 1000);
    const rssEnd = await rssWindow(b.pid); // the window that ends at M minutes
    console.log(`berth alone from ${t1} s to ${minutes} min: ${fmt(((cpuSeconds(b.pid) - cpu1) / (minutes * 60 - t1)) * 1000, 1)} ms CPU/s`);
    const ok = rssEnd <= rss1 * 1.05;
    console.log(
      `berth RSS after ${minutes} min: ${fmt(rssEnd, 1)} MiB (median of 20 s) (${fmt((rssEnd / rss1 - 1) * 100, 1)}% vs 1 min; target <= +5%): ${ok ? 'met' : 'NOT met'}; peak ${fmt(bRss.peak, 1)} MiB; CPU seconds ${fmt(cpuSeconds(b.pid))}`,
    );
  }
  stopB();
  b.kill('SIGINT');
} finally {
  await cleanup();
}
process.exit(0); // dockerode's keep-alive sockets would hold the process open
