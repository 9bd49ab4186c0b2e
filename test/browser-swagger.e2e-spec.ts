import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let browser: Browser | undefined;
  let base: string;
  beforeAll(async () => {
    t = await startTestApp();
    base = await t.listen();
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('tries out POST /api/otp/request and shows the 202 answer', async () => {
    const page = await browser!.newPage();
    await page.goto(`${base}/docs`);
    const operation = page.locator('.opblock-post', {
      has: page.locator('[data-path="/api/otp/request"]'),
    });
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation
      .locator('textarea.body-param__text')
      .fill(JSON.stringify({ phoneNumber: '+14155552671' }));
    await operation.getByRole('button', { name: 'Execute' }).click();

    const live = operation.locator('.live-responses-table');
    await expect(live.locator('tr.response .response-col_status').textContent()).resolves.toBe(
      '202',
    );
    await expect(
      live.locator('tr.response .response-col_description').textContent(),
    ).resolves.toMatch(/"status": "pending"[\s\S]*"phoneNumber": "\+14155552671"/);
    expect(t.outbox.sentTo('+14155552671')).toBe(1);
  }, 60_000);
});
