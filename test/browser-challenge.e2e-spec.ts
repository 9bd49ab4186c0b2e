import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { FakeCaptchaServer } from './support/fake-captcha-server.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const SITE_KEY = '0x4AAAAAAAbrowser';

/**
 * The example page of the client side (`examples/challenge/index.html`) in Chromium: the service
 * answers `captcha_required`, the page renders the widget it names (a local stand-in of the
 * provider's script), and resends with the widget's token. Nothing leaves 127.0.0.1.
 */
describe('the challenge example page in Chromium', () => {
  let fake: FakeCaptchaServer;
  let t: TestApp;
  let browser: Browser | undefined;
  let base: string;
  beforeAll(async () => {
    fake = await FakeCaptchaServer.start();
    await fake.servePage(join(process.cwd(), 'examples/challenge/index.html'));
    t = await startTestApp({
      env: {
        OTP_CORS_ORIGINS: fake.url,
        OTP_CAPTCHA_PROVIDER: 'turnstile',
        OTP_CAPTCHA_SECRET: 'browser-captcha-secret',
        OTP_CAPTCHA_SITE_KEY: SITE_KEY,
        OTP_CAPTCHA_VERIFY_URL: fake.verifyUrl,
        OTP_CAPTCHA: 'always',
      },
    });
    base = await t.listen();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fake?.stop();
  });

  it('renders the widget after captcha_required, resends with its token, and verifies', async () => {
    const page = await browser!.newPage();
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      elsewhere.push(url.href);
      return route.abort();
    });
    const query = new URLSearchParams({ api: base, widgetScript: `${fake.url}/widget.js` });
    await page.goto(`${fake.url}/page.html?${query}`);
    await page.getByLabel('Phone number').fill('+447400123456');
    await page.getByRole('button', { name: 'Send code' }).click();

    const widget = page.getByRole('button', { name: 'Verify you are human' });
    await widget.waitFor();
    await expect(widget.getAttribute('data-sitekey')).resolves.toBe(SITE_KEY);
    expect(t.outbox.messages).toHaveLength(0);
    await widget.click();
    await page.getByText('Code sent.').waitFor();
    expect(t.outbox.sentTo('+447400123456')).toBe(1);
    expect(fake.calls).toEqual([
      {
        secret: 'browser-captcha-secret',
        response: expect.stringMatching(/^pass-/),
        remoteip: '127.0.0.1',
      },
    ]);

    await page.getByLabel('Code').fill(t.outbox.lastCodeFor('+447400123456'));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByText('Verified.').waitFor();
    expect(elsewhere).toEqual([]);
  }, 60_000);
});
