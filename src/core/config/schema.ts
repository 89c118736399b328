/**
 * The one schema of berth's configuration keys: the container labels and the
 * `--config` YAML file use the same keys (the file as `idle.timeout` or
 * `berth.idle.timeout`, flat or nested). Each key's parser lives with its
 * concern (idle/config.ts, proxy/routes.ts); this table is what they share:
 * the names, what values they take, the defaults, and what they mean. The
 * label reference in docs/commands.md and the man page is generated from it
 * (`npm run gen`; test/unit/generated-docs.test.ts fails when stale), and the
 * file reader accepts exactly these keys.
 */
import { BerthError } from '../errors.js';

export interface ConfigKey {
  key: string;
  /** Which part of berth reads it. */
  area: 'idle' | 'proxy';
  /** What a value looks like. */
  values: string;
  default: string;
  meaning: string;
}

export const KEYS: readonly ConfigKey[] = [
  {
    key: 'berth.idle.timeout',
    area: 'idle',
    values: 'duration (`15m`; `0` = never)',
    default: 'not managed',
    meaning: 'idle time before the container is put to sleep; its presence makes the container managed',
  },
  { key: 'berth.idle.stop_method', area: 'idle', values: '`stop`, `pause` or `kill`', default: '`stop`', meaning: 'how it is put to sleep' },
  { key: 'berth.idle.stop_signal', area: 'idle', values: 'signal name or number', default: "the container's own", meaning: 'signal for `stop` (then SIGKILL after stop_timeout) or `kill`' },
  { key: 'berth.idle.stop_timeout', area: 'idle', values: 'duration', default: "the container's own", meaning: 'time between the stop signal and SIGKILL' },
  { key: 'berth.idle.wake_timeout', area: 'idle', values: 'duration', default: '`60s`', meaning: "time a wake may take to become ready (a route waits its own plus its dependencies')" },
  {
    key: 'berth.idle.depends_on',
    area: 'idle',
    values: '`db,cache:service_healthy` (NAME or NAME:CONDITION)',
    default: 'none',
    meaning: "dependencies besides compose's depends_on (the label, or compose v1's file); conditions service_started, service_healthy, service_completed_successfully, ready",
  },
  {
    key: 'berth.idle.probe',
    area: 'idle',
    values: '`http://HOST:PORT/PATH` (2xx/3xx) or `tcp://HOST:PORT`; HOST `container` = its own address',
    default: 'HEALTHCHECK, else running (a route: and its port accepting)',
    meaning: 'readiness check of a wake',
  },
  { key: 'berth.idle.busy', area: 'idle', values: '`cpu>5%` or `exec:COMMAND` (exit 0 = busy)', default: 'none', meaning: 'veto checked before a stop' },
  {
    key: 'berth.idle.min_bytes',
    area: 'idle',
    values: 'byte count (`512`, `10k`)',
    default: '`512`',
    meaning:
      "network bytes per reading that count as activity (not for a route of `serve`, whose activity is what it proxies; but with `serve --api-listen`, the gate, they count for every route: the user's proxy carries the bytes)",
  },
  {
    key: 'berth.idle.connections',
    area: 'idle',
    values: '`count` or `ignore`',
    default: '`count`',
    meaning:
      'an established TCP connection to one of its listening ports keeps it awake (a quiet database session, an open transaction); `ignore`: only traffic counts (for servers that keep idle monitoring connections open). See docs/idle.md',
  },
  {
    key: 'berth.idle.replicas',
    area: 'idle',
    values: 'count, 1 or more',
    default: 'the count before it slept',
    meaning: "swarm services: the replicas a wake scales back to (else the count berth saw when it scaled the service to 0, else its previous spec's, else 1)",
  },
  { key: 'berth.idle.start_endpoint', area: 'proxy', values: 'path prefixes (`/,/api/wake`)', default: 'any path', meaning: 'paths allowed to wake the container through serve' },
  { key: 'berth.proxy.host', area: 'proxy', values: 'host names (`app.example.test,app.test`)', default: 'none', meaning: 'HTTP route: requests with this Host header go to the container' },
  { key: 'berth.proxy.port', area: 'proxy', values: 'port 1-65535', default: '`80`', meaning: "the container's HTTP port" },
  { key: 'berth.proxy.tcp', area: 'proxy', values: '`LISTEN` or `LISTEN:PORT`, comma-separated', default: 'none', meaning: 'TCP route: serve listens on LISTEN and forwards to the container port' },
  { key: 'berth.proxy.ignore', area: 'proxy', values: 'path prefixes (`/healthz`) and user-agent substrings', default: 'none', meaning: 'requests that neither wake nor keep awake' },
];

/** Every key the labels and the file may set. */
export const KNOWN_KEYS: ReadonlySet<string> = new Set(KEYS.map((k) => k.key));

/** Where a key's value came from, for error messages. */
export interface Source {
  container: string;
  /** Keys (full label names) whose values came from the config file, and its path. */
  fileKeys?: ReadonlySet<string>;
  file?: string;
}

export function configError(src: Source, key: string, expected: string, got: string): BerthError {
  const where = src.fileKeys?.has(key) ? `${key} in ${src.file}` : `label ${key}`;
  return new BerthError('CONFIG', `container ${src.container}: ${where}: expected ${expected} (got: ${JSON.stringify(got)})`);
}

/** The label reference as a Markdown table (docs/commands.md). */
export function labelTableMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = KEYS.map((k) => `| \`${k.key}\` | ${cell(k.values)} | ${cell(k.default)} | ${cell(k.meaning)} |`);
  return ['| label (or file key) | values | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export const README_BEGIN = '<!-- label reference: generated from src/core/config/schema.ts by npm run gen -->';
export const README_END = '<!-- end of label reference -->';

/** A Markdown file with its label reference block regenerated (unchanged when it has no block). */
export function readmeWithLabels(readme: string): string {
  const a = readme.indexOf(README_BEGIN);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return readme;
  return `${readme.slice(0, a)}${README_BEGIN}\n${labelTableMarkdown()}\n${readme.slice(b)}`;
}
