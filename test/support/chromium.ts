import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Offline and quiet: no update checks, no sync, nothing but 127.0.0.1. */
const QUIET = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * A headless Chromium for browser tests: the system's when there is one, else the one that ships
 * inside the `@sparticuz/chromium` npm package (unpacked to /tmp/chromium on first use), so
 * `npm ci && npm test` needs no browser installed by hand and never downloads one.
 */
export async function launchChromium(): Promise<Browser> {
  if (existsSync(SYSTEM_CHROMIUM)) {
    return chromium.launch({
      executablePath: SYSTEM_CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', ...QUIET],
    });
  }
  const { default: packaged } = await import('@sparticuz/chromium');
  return chromium.launch({
    executablePath: await packaged.executablePath(),
    args: [...packaged.args, ...QUIET],
    headless: true,
  });
}
