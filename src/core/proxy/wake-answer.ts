/**
 * The answer to a request for a route whose wake failed, or whose container
 * died under it: a styled page for a browser's page load, JSON problem
 * details (RFC 9457) for everything else, 503 with Retry-After, typed by the
 * failure's kind (src/core/idle/wake-failure.ts). The text names the
 * container and the cause, never an internal address.
 */
import type { IncomingMessage } from 'node:http';
import { FAILURE_TITLE, type WakeFailureKind } from '../idle/wake-failure.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  container: string;
  kind: WakeFailureKind;
}

/** Addresses an engine or socket error may carry ("attempted address: 172.18.0.4:8080"), taken out of text a client sees. */
export function withoutAddresses(text: string): string {
  return text
    .replace(/\s*\(attempted address: [^)]*\)/g, '')
    .replace(/\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b/g, '(address)')
    .replace(/\[[0-9a-f:]+\](:\d+)?/gi, '(address)');
}

export function problem(container: string, kind: WakeFailureKind, message: string, status = 503): Problem {
  return { type: `https://berth.invalid/problems/wake-${kind}`, title: `${container} could not be woken: ${FAILURE_TITLE[kind]}`, status, detail: withoutAddresses(message), container, kind };
}

/**
 * A request a page makes for its parts (favicon, image, script, style) rather
 * than a page load or an API call: it never wakes a container that crashed,
 * so an error page's favicon cannot start it again.
 */
export function isSubresource(req: IncomingMessage, url = req.url ?? '/'): boolean {
  const dest = req.headers['sec-fetch-dest'];
  if (typeof dest === 'string' && dest !== '' && dest !== 'document' && dest !== 'iframe' && dest !== 'empty') return true;
  const path = url.split('?')[0]!;
  return path === '/favicon.ico' || /^image\//.test(String(req.headers.accept ?? ''));
}
