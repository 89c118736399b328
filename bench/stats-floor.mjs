// The floor under `berth stats` in Node: the least a Node process can do to follow the same stats
// streams. It opens one GET /containers/{id}/stats stream per container on the unix socket, splits
// lines and JSON.parses each reading, and prints nothing. bench/stats-cost.mjs runs it beside berth
// and docker so that berth's cost can be read against what Node itself costs for the same I/O.
// Usage: node bench/stats-floor.mjs ID...   (DOCKER_HOST unix:// or the default socket)
import http from 'node:http';

const socketPath = (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '');
const agent = new http.Agent({ keepAlive: true });
let readings = 0;
for (const id of process.argv.slice(2)) {
  http.get({ socketPath, path: `/containers/${id}/stats?stream=true`, agent }, (res) => {
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (d) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim() && JSON.parse(line).read) readings++;
      }
    });
  });
}
process.on('SIGTERM', () => {
  process.stderr.write(`stats-floor: ${readings} readings\n`);
  process.exit(0);
});
