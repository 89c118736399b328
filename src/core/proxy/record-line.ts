/** serve's records as one human line each (--format table / a TTY). */
import type { IdleRecord, WakeEvent } from '../idle/types.js';
import type { ServeRecord } from '../records.js';

const time = (ts: string) => ts.slice(11, 19);

export function formatServeLine(r: ServeRecord | WakeEvent | IdleRecord): string {
  switch (r.type) {
    case 'serve':
      if (r.event === 'listening') return `${time(r.ts)} listening on http://${r.listen}`;
      return `${time(r.ts)} route ${r.container}: ${[...(r.hosts ?? []).map((h) => `http://${h} -> :${r.port}`), ...(r.tcp ?? []).map((t) => `tcp :${t.listen} -> :${t.upstream}`)].join(', ')} (${r.state})`;
    case 'wake':
      return `${time(r.ts)} ${r.container} wake ${r.event}: ${r.message}`;
    case 'idle':
      return `${time(r.ts)} ${r.container} ${r.from} -> ${r.to} (${r.reason})`;
  }
}
