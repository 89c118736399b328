/** Engine event -> `event` record (docs/records.md). */
import { groupInfo } from '../engine/labels.js';
import { localRfc3339, nanosToRfc3339 } from '../parse.js';
import type { EventRecord } from '../records.js';
import type { EngineEvent } from './source.js';

/** `node`: the swarm node the event was read on (events --swarm); swarm-scope events are read with none. */
export function toEventRecord(ev: EngineEvent, engine?: string, node?: string): EventRecord {
  const attributes = ev.Actor?.Attributes ?? {};
  const rec: EventRecord = {
    type: 'event',
    ts: nanosToRfc3339(ev.nanos),
    scope: ev.Type,
    action: ev.Action,
    id: ev.Actor?.ID ?? ev.id ?? '',
    ...(attributes.name !== undefined ? { name: attributes.name } : {}),
    ...(ev.Type === 'container' ? groupInfo(attributes, node) : {}),
    // Every event read from a node's own stream says its node (a network connect as well as a container's start).
    ...(node !== undefined ? { node } : {}),
    attributes,
  };
  if (engine !== undefined) rec.engine = engine;
  return rec;
}

/** docker events' human line: `TIME SCOPE ACTION ID (k=v, ...)`, the time in the local zone as docker prints it, attributes sorted by key. */
export function formatEventLine(r: EventRecord): string {
  const attrs = Object.keys(r.attributes)
    .sort()
    .map((k) => `${k}=${r.attributes[k]}`)
    .join(', ');
  const where = r.engine ?? r.node;
  return `${where ? `[${where}] ` : ''}${localRfc3339(r.ts)} ${r.scope} ${r.action} ${r.id}${attrs ? ` (${attrs})` : ''}`;
}
