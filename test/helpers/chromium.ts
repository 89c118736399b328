/** Debian's Chromium, headless, driven by playwright-core, with a profile in `profile` (a temp dir). */
import { chromium, type BrowserContext } from 'playwright-core';
import { requireTool } from './tools.js';

export function launchChromium(profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: requireTool('/usr/bin/chromium'),
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
