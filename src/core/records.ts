/**
 * The NDJSON record contract (docs/records.md). Every record has `type` and
 * `ts` (RFC 3339, nanoseconds where the engine gives them). Records about a
 * container carry `id` (full), `name`, and `project`/`service` for compose
 * containers; with several engines, `engine` names the one it came from.
 */

export interface ContainerRef {
  id: string;
  name?: string;
  project?: string;
  service?: string;
  engine?: string;
}

export interface EventRecord extends Partial<ContainerRef> {
  type: 'event';
  ts: string;
  /** Docker's event Type: container, image, network, volume, plugin, daemon, service, node, secret, config. */
  scope: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
}
