/**
 * Routes from labels (and the YAML file, same keys), parsed: which container
 * serves which Host header and which TCP listening port. Part of the one
 * configuration schema (schema.ts), so the config file (idle/config-file.ts)
 * checks route keys without depending on the proxy; the proxy's routing at run
 * time is in proxy/routes.ts.
 *
 *   berth.proxy.host=app.example.test[,other.test]   HTTP route by Host header
 *   berth.proxy.port=8080                            the container's HTTP port (default 80)
 *   berth.proxy.tcp=5432 | 15432:5432[,...]          TCP listener (listen[:container port])
 *   berth.proxy.ignore=/healthz,UptimeRobot          paths (leading /, prefix) and user-agent substrings
 *   berth.idle.start_endpoint=/,/api/wake            path prefixes allowed to wake a sleeping container
 */
import { configError, type Source } from './schema.js';

export const LABEL = {
  host: 'berth.proxy.host',
  port: 'berth.proxy.port',
  tcp: 'berth.proxy.tcp',
  ignore: 'berth.proxy.ignore',
  startEndpoint: 'berth.idle.start_endpoint',
} as const;

export interface TcpMapping {
  listen: number;
  upstream: number;
}

export interface IgnoreRule {
  /** Path prefixes. */
  paths: string[];
  /** Lower-cased user-agent substrings. */
  agents: string[];
}

export interface Route {
  container: string;
  hosts: string[];
  port: number;
  tcp: TcpMapping[];
  ignore: IgnoreRule;
  /** Path prefixes allowed to wake the container; undefined = any path. */
  startEndpoints?: string[];
  /** All the container's labels (with the file's keys merged over them), for the idle config. */
  labels: Record<string, string>;
}

/**
 * Sablier's labels, honoured as an alternative to berth's (docs/gate.md): `sablier.enable=true` makes a
 * container a route without a host (asked about by name or group on serve's API listener), and
 * `sablier.group` names its group.
 */
export const SABLIER = { enable: 'sablier.enable', group: 'sablier.group' } as const;

export const isRouteLabels = (labels: Record<string, string>): boolean => LABEL.host in labels || LABEL.tcp in labels || labels[SABLIER.enable] === 'true';

/** Where a route's values came from: the container (for messages) and which keys the --config file set. */
type RouteSource = Pick<Source, 'fileKeys' | 'file'>;

function parsePort(text: string, src: Source, label: string): number {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 65535) throw configError(src, label, 'a port number 1-65535', text);
  return n;
}

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseHosts(text: string, src: Source): string[] {
  const hosts = list(text).map((h) => h.toLowerCase());
  for (const h of hosts) if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(h)) throw configError(src, LABEL.host, 'host names separated by commas', text);
  if (!hosts.length) throw configError(src, LABEL.host, 'at least one host name', text);
  return hosts;
}

function parseTcp(text: string, src: Source): TcpMapping[] {
  return list(text).map((item) => {
    const m = /^(\d+)(?::(\d+))?$/.exec(item);
    if (!m) throw configError(src, LABEL.tcp, 'LISTEN or LISTEN:PORT, separated by commas', text);
    const listen = parsePort(m[1]!, src, LABEL.tcp);
    return { listen, upstream: m[2] ? parsePort(m[2], src, LABEL.tcp) : listen };
  });
}

export function parseIgnore(text: string | undefined): IgnoreRule {
  const items = list(text);
  return { paths: items.filter((i) => i.startsWith('/')), agents: items.filter((i) => !i.startsWith('/')).map((i) => i.toLowerCase()) };
}

function parseStartEndpoints(text: string | undefined, src: Source): string[] | undefined {
  if (text === undefined) return undefined;
  const items = list(text);
  for (const i of items) if (!i.startsWith('/')) throw configError(src, LABEL.startEndpoint, 'path prefixes starting with /', text);
  return items;
}

/**
 * The route a container's labels describe (the --config file's keys laid over them); throws a CONFIG
 * error naming the container and the label, or the file for the keys `from` says it set.
 */
export function parseRoute(container: string, labels: Record<string, string>, from: RouteSource = {}): Route {
  const src: Source = { container, ...from };
  const hosts = labels[LABEL.host] !== undefined ? parseHosts(labels[LABEL.host]!, src) : [];
  const port = labels[LABEL.port] !== undefined ? parsePort(labels[LABEL.port]!, src, LABEL.port) : 80;
  const tcp = labels[LABEL.tcp] !== undefined ? parseTcp(labels[LABEL.tcp]!, src) : [];
  const startEndpoints = parseStartEndpoints(labels[LABEL.startEndpoint], src);
  return { container, hosts, port, tcp, ignore: parseIgnore(labels[LABEL.ignore]), ...(startEndpoints ? { startEndpoints } : {}), labels };
}
