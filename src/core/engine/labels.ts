/** Compose labels, as `docker compose` sets them on containers. */
export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_SERVICE = 'com.docker.compose.service';
export const COMPOSE_DEPENDS_ON = 'com.docker.compose.depends_on';

export interface ComposeInfo {
  project?: string;
  service?: string;
}

export function composeInfo(labels: Record<string, string> | undefined | null): ComposeInfo {
  if (!labels) return {};
  const out: ComposeInfo = {};
  if (labels[COMPOSE_PROJECT]) out.project = labels[COMPOSE_PROJECT];
  if (labels[COMPOSE_SERVICE]) out.service = labels[COMPOSE_SERVICE];
  return out;
}

/** Engine names come with a leading slash ("/web"); records carry the bare name. */
export function bareName(name: string | undefined): string | undefined {
  return name?.startsWith('/') ? name.slice(1) : name;
}
