/**
 * A real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on a throw-away profile, for
 * the web-page tests: one page, and a close that removes the profile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

export interface Chromium {
  page: Page;
  close(): Promise<void>;
}

export async function openChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'feedproc-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    // Nothing but the pages under test: no updates, sync or background requests from the browser itself.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
