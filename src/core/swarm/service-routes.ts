/**
 * serve's routes on a swarm: every service (of --stack, when given) carrying
 * berth.proxy.host or berth.proxy.tcp in its labels (the service's own
 * labels, `docker service create --label`, or a stack file's `deploy.labels`),
 * plus those given such keys in the --config file under their service name
 * (the file wins key by key), exactly as containers' routes are found
 * (proxy/discover.ts). A global service is left out with a reason: berth
 * cannot scale it to 0 and back.
 */
import type { Engine } from '../engine/engine.js';
import { STACK_NAMESPACE } from '../engine/labels.js';
import { toBerthError } from '../engine/request.js';
import { idleConfigFor, mergeLabels, type ConfigFile } from '../idle/config-file.js';
import type { Discovery } from '../proxy/discover.js';
import { LABEL, isRouteLabels, parseRoute } from '../config/route-labels.js';
import type { ServiceInfo } from './service-provider.js';

async function list(manager: Engine, label: string[], signal?: AbortSignal): Promise<ServiceInfo[]> {
  try {
    return await manager.api.json<ServiceInfo[]>({ path: '/services', query: { filters: { label } }, signal });
  } catch (err) {
    throw toBerthError(manager, err, signal);
  }
}

export async function discoverServiceRoutes(manager: Engine, file: ConfigFile | undefined, stack: string | undefined, signal?: AbortSignal): Promise<Discovery> {
  const out: Discovery = { found: [], problems: [] };
  const inStack = stack !== undefined ? [`${STACK_NAMESPACE}=${stack}`] : [];
  const byName = new Map<string, ServiceInfo>();
  for (const label of [LABEL.host, LABEL.tcp]) for (const s of await list(manager, [label, ...inStack], signal)) byName.set(s.Spec.Name ?? s.ID, s);
  const fileNames = [...(file?.containers ?? [])].filter(([name, keys]) => !byName.has(name) && isRouteLabels(keys)).map(([name]) => name);
  if (fileNames.length) {
    for (const s of await list(manager, inStack, signal)) if (fileNames.includes(s.Spec.Name ?? '')) byName.set(s.Spec.Name!, s);
    for (const name of fileNames)
      if (!byName.has(name)) out.problems.push(`service ${name} (in ${file!.path}) does not exist${stack !== undefined ? ` in stack ${stack}` : ''}; its route is left out`);
  }
  for (const [name, svc] of byName) {
    const labels = svc.Spec.Labels ?? {};
    const { labels: merged, fileKeys } = mergeLabels(name, labels, file);
    if (!isRouteLabels(merged)) continue;
    if (svc.Spec.Mode?.Global) {
      out.problems.push(`service ${name} is global: berth routes only to replicated services (it scales them to 0 and back); its route is left out`);
      continue;
    }
    try {
      const route = parseRoute(name, merged, { fileKeys, ...(file ? { file: file.path } : {}) });
      out.found.push({ route, idle: idleConfigFor(name, labels, file), running: (svc.Spec.Mode?.Replicated?.Replicas ?? 1) > 0, id: svc.ID });
    } catch (err) {
      out.problems.push((err as Error).message);
    }
  }
  return out;
}
