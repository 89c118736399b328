/**
 * The loading page a browser gets for a sleeping route (its failure variant,
 * when the wake fails while it is open, is drawn by script.ts: heading, title
 * and a "Try again" link), and the error page after a failed wake. Static HTML with the container's name escaped in; the
 * behaviour is in script.ts, the look in style.ts, both served under /$berth/.
 */
import { LOADING_CSS } from './style.js';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A waiting page's head: not indexed, titled, with `extra` (its style) after the title. */
const waitingHead = (title: string, extra: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
${extra}
</head>
<body>`;

export function loadingPage(container: string): string {
  const name = escapeHtml(container);
  return `${waitingHead(`Waking ${name}…`, '<link rel="stylesheet" href="/$berth/loading.css">')}
<main class="card" data-container="${name}">
  <div class="spinner" aria-hidden="true"></div>
  <h1 id="heading">Waking <span id="name">${name}</span>…</h1>
  <p id="status" role="status">Starting the container; this page opens the app as soon as it is ready.</p>
  <ol id="events" aria-live="polite"></ol>
  <p id="error" class="error" hidden></p>
  <p id="retry" hidden><a href="">Try again</a></p>
  <noscript><p>JavaScript is off: reload this page in a few seconds.</p></noscript>
</main>
<script src="/$berth/loading.js"></script>
</body>
</html>
`;
}

export function errorPage(container: string, message: string): string {
  const name = escapeHtml(container);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} could not be woken</title>
<link rel="stylesheet" href="/$berth/loading.css">
</head>
<body>
<main class="card failed">
  <h1>${name} could not be woken</h1>
  <p class="error" id="error">${escapeHtml(message)}</p>
  <p><a href="">Try again</a></p>
</main>
</body>
</html>
`;
}

export interface WaitingInstance {
  name: string;
  status: 'ready' | 'not-ready' | 'error';
}

/**
 * The self-contained waiting page of the Sablier API's dynamic strategy: its style inline and no
 * script, because a Sablier plugin answers every request of the app's host with this page until the
 * session is ready (so /$berth/ would not reach berth); it reloads itself every `refreshSec`.
 */
export function waitingPage(title: string, instances: WaitingInstance[] | undefined, refreshSec: number): string {
  const name = escapeHtml(title);
  const rows = instances?.map((i) => `  <li data-status="${i.status}">${escapeHtml(i.name)}: ${i.status}</li>`).join('\n');
  return `${waitingHead(`Waking ${name}…`, `<meta http-equiv="refresh" content="${refreshSec}">\n<style>\n${LOADING_CSS}</style>`)}
<main class="card">
  <div class="spinner" aria-hidden="true"></div>
  <h1>Waking ${name}…</h1>
  <p role="status">Starting; this page reloads every ${refreshSec} s and opens the app once it is ready.</p>
${rows ? `  <ol id="instances">\n${rows}\n  </ol>\n` : ''}</main>
</body>
</html>
`;
}
