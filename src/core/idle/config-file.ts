/**
 * The YAML config file (`--config`), shared by `watch-idle`, `wake` and
 * `serve`. Its keys are the labels' keys, written flat or nested:
 *
 *   defaults:                 # laid under every container listed below
 *     idle: { stop_method: pause }
 *   containers:
 *     web:
 *       idle:
 *         timeout: 15m
 *         depends_on: db
 *       berth.proxy.host: web.example.test
 *
 * Each container's entry flattens to label names (`idle.timeout` ->
 * `berth.idle.timeout`); lists become comma-separated values. The file wins
 * over the container's own labels, key by key.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { BerthError } from '../errors.js';
import { parseIdleConfig, type IdleConfig } from './config.js';
import { parseRoute } from '../config/route-labels.js';
import { KNOWN_KEYS as SCHEMA_KEYS } from '../config/schema.js';
import { composeFileDeps } from './compose-file.js';
import { COMPOSE_DEPENDS_ON } from '../engine/labels.js';

export interface ConfigFile {
  path: string;
  /** Container name -> label-style keys -> value. */
  containers: Map<string, Record<string, string>>;
}

export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BerthError(code === 'ENOENT' ? 'NOT_FOUND' : 'CONFIG', `--config: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseConfigText(text, path);
}

export function parseConfigText(text: string, path: string): ConfigFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new BerthError('CONFIG', `${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  const root = (doc ?? {}) as Record<string, unknown>;
  if (!isMap(root)) throw new BerthError('CONFIG', `${path}: expected a mapping with "containers:" at the top`);
  const unknown = Object.keys(root).filter((k) => k !== 'containers' && k !== 'defaults');
  if (unknown.length) throw new BerthError('CONFIG', `${path}: unknown top-level key ${JSON.stringify(unknown[0])} (expected containers, defaults)`);
  const defaults = flattenEntry(root.defaults ?? {}, path, 'defaults');
  const containers = new Map<string, Record<string, string>>();
  const list = root.containers ?? {};
  if (!isMap(list)) throw new BerthError('CONFIG', `${path}: containers: expected a mapping of container name to settings`);
  for (const [name, entry] of Object.entries(list)) {
    const keys = { ...defaults, ...flattenEntry(entry ?? {}, path, `containers.${name}`) };
    checkValues(name, keys, path);
    containers.set(name, keys);
  }
  return { path, containers };
}

/**
 * Every value of a file entry parsed now, so a mistake in the file stops the command at its start
 * (exit 2, naming the file) instead of quietly leaving a container out later. Labels on containers
 * are still checked when they are found: a wrong label leaves out only its container.
 */
function checkValues(name: string, keys: Record<string, string>, path: string): void {
  const src = { container: name, fileKeys: new Set(Object.keys(keys)), file: path };
  parseIdleConfig(keys, src);
  parseRoute(name, keys, src);
}

/** The keys a file entry may set: the schema's (src/core/config/schema.ts), topology's berth.depends_on, and compose's own com.docker.* labels. */
const KNOWN_KEYS = new Set<string>([...SCHEMA_KEYS, 'berth.depends_on']);
const shortKey = (k: string) => k.replace(/^berth\./, '');

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function flattenEntry(entry: unknown, path: string, where: string): Record<string, string> {
  if (!isMap(entry)) throw new BerthError('CONFIG', `${path}: ${where}: expected a mapping of settings`);
  const out: Record<string, string> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix + k;
      if (isMap(v)) walk(v, key + '.');
      else if (Array.isArray(v)) out[labelKey(key)] = v.map(String).join(',');
      else if (v === null || v === undefined) throw new BerthError('CONFIG', `${path}: ${where}.${key}: has no value`);
      else out[labelKey(key)] = String(v);
    }
  };
  walk(entry, '');
  for (const key of Object.keys(out)) {
    if (KNOWN_KEYS.has(key) || key.startsWith('com.docker.')) continue;
    const known = [...KNOWN_KEYS].map(shortKey).join(', ');
    throw new BerthError('CONFIG', `${path}: ${where}: unknown key ${JSON.stringify(shortKey(key))} (known: ${known})`);
  }
  return out;
}

const labelKey = (k: string) => (k.startsWith('berth.') || k.startsWith('com.docker.') ? k : `berth.${k}`);

/** A container's labels with the file's entry laid over them, plus which keys came from the file. */
export function mergeLabels(name: string, labels: Record<string, string>, file?: ConfigFile): { labels: Record<string, string>; fileKeys: Set<string> } {
  const entry = file?.containers.get(name) ?? {};
  return { labels: { ...labels, ...entry }, fileKeys: new Set(Object.keys(entry)) };
}

/**
 * The idle config of a container from its labels and the file; a compose v1
 * container's depends_on is read from its compose file (compose-file.ts), and
 * when it has no source of dependencies, `depsNote` says so.
 */
export function idleConfigFor(name: string, labels: Record<string, string>, file?: ConfigFile): IdleConfig {
  const merged = mergeLabels(name, labels, file);
  const v1 = composeFileDeps(merged.labels);
  const all = v1.value !== undefined ? { ...merged.labels, [COMPOSE_DEPENDS_ON]: v1.value } : merged.labels;
  const cfg = parseIdleConfig(all, { container: name, fileKeys: merged.fileKeys, ...(file ? { file: file.path } : {}) });
  if (v1.note && !merged.labels['berth.idle.depends_on']) cfg.depsNote = `${name}: ${v1.note}`;
  return cfg;
}
