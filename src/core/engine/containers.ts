/**
 * The container endpoints berth uses, over EngineClient. The reply types are
 * dockerode's declarations (types only: nothing of dockerode is loaded).
 */
import type Docker from 'dockerode';
import type { Engine } from './engine.js';

export type ContainerSummary = Docker.ContainerInfo;
export type ContainerDetails = Docker.ContainerInspectInfo;

const containerPath = (id: string, rest = '') => `/containers/${encodeURIComponent(id)}${rest}`;

/** GET /containers/json: `filters` in docker's map form, e.g. { label: ['a=b'] }. */
export function listContainers(engine: Engine, opts: { all?: boolean; filters?: Record<string, string[]> }, signal?: AbortSignal): Promise<ContainerSummary[]> {
  const filters = opts.filters && Object.keys(opts.filters).length ? opts.filters : undefined;
  return engine.api.json<ContainerSummary[]>({ path: '/containers/json', query: { all: opts.all ? 'true' : undefined, filters }, signal });
}

/** GET /containers/{id}/json. */
export function inspectContainer(engine: Engine, id: string, signal?: AbortSignal): Promise<ContainerDetails> {
  return engine.api.json<ContainerDetails>({ path: containerPath(id, '/json'), signal });
}

/** POST /containers/{id}/{start,stop,kill,pause,unpause}; query e.g. { t: 10 } or { signal: 'SIGTERM' }. */
export async function containerAction(engine: Engine, id: string, action: 'start' | 'stop' | 'kill' | 'pause' | 'unpause', query?: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
  await engine.api.json({ method: 'POST', path: containerPath(id, `/${action}`), query, signal });
}

/** POST /containers/{id}/exec then /exec/{id}/start detached: the exec's id. */
export async function startDetachedExec(engine: Engine, id: string, cmd: string[]): Promise<string> {
  const { Id } = await engine.api.json<{ Id: string }>({ method: 'POST', path: containerPath(id, '/exec'), body: { Cmd: cmd, AttachStdout: false, AttachStderr: false } });
  await engine.api.json({ method: 'POST', path: `/exec/${encodeURIComponent(Id)}/start`, body: { Detach: true } });
  return Id;
}

/** GET /exec/{id}/json. */
export function inspectExec(engine: Engine, execId: string): Promise<{ Running: boolean; ExitCode: number | null }> {
  return engine.api.json({ path: `/exec/${encodeURIComponent(execId)}/json` });
}

/**
 * Runs `cmd` in the container and returns what it printed (stdout and stderr together, through a TTY so
 * the stream is not framed). Bound: at most `maxBytes`; past it the rest is dropped and the exec's stream
 * closed. The exec's exit code is not read: the caller judges the text.
 */
export async function execOutput(engine: Engine, id: string, cmd: string[], signal?: AbortSignal, maxBytes = 4 * 1024 * 1024): Promise<string> {
  const body = { Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: true };
  const { Id } = await engine.api.json<{ Id: string }>({ method: 'POST', path: containerPath(id, '/exec'), body, signal });
  const res = await engine.api.stream({ method: 'POST', path: `/exec/${encodeURIComponent(Id)}/start`, body: { Detach: false, Tty: true }, signal });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      chunks.push(chunk.subarray(0, Math.max(0, maxBytes - size)));
      size += chunk.length;
      if (size >= maxBytes) break;
    }
  } finally {
    res.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}
