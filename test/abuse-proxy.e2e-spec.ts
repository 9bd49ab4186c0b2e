import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { expectRefused } from './support/refusals.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let sequence = 0;
const nextNumber = (): string => `+4474006${String(++sequence).padStart(5, '0')}`;

const CLIENT = '203.0.113.10';
const OTHER_CLIENT = '198.51.100.20';

/** Every request log line of this file (nestjs-pino keeps the first destination per file). */
const lines: string[] = [];
const logDestination = { write: (line: string) => void lines.push(line) };
const loggedAddresses = (): string[] =>
  lines
    .map((line) => JSON.parse(line) as { req?: { url?: string; remoteAddress?: string } })
    .filter((entry) => entry.req?.url === '/api/otp/request')
    .map((entry) => entry.req?.remoteAddress as string);

describe('TRUST_PROXY: the client address behind a proxy', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    lines.length = 0;
  });

  const start = async (trustProxy: string) => {
    t = await startTestApp({
      env: {
        TRUST_PROXY: trustProxy,
        LOG_LEVEL: 'info',
        RATE_LIMIT_TTL_SECONDS: '120',
        RATE_LIMIT_REQUEST_LIMIT: '2',
        OTP_RESEND_COOLDOWN_SECONDS: '0',
      },
      logDestination,
    });
    return t;
  };
  const requestCode = (app: TestApp, forwardedFor: string) =>
    request(app.server)
      .post('/api/otp/request')
      .set('X-Forwarded-For', forwardedFor)
      .send({ phoneNumber: nextNumber() });

  // The test client connects from 127.0.0.1, which each form below trusts as the proxy.
  for (const trustProxy of ['1', '127.0.0.1', '127.0.0.0/8, 10.0.0.0/8', 'true']) {
    it(`gives each forwarded client its own budget and logs its address (TRUST_PROXY=${trustProxy})`, async () => {
      const app = await start(trustProxy);
      for (let i = 0; i < 2; i++) expect((await requestCode(app, CLIENT)).status).toBe(202);
      expectRefused(await requestCode(app, CLIENT), 'rate_limited', 120);
      expect((await requestCode(app, OTHER_CLIENT)).status).toBe(202);
      expect(app.outbox.messages).toHaveLength(3);
      expect(loggedAddresses()).toEqual([CLIENT, CLIENT, CLIENT, OTHER_CLIENT]);
    });
  }

  it('trusts exactly one hop with TRUST_PROXY=1: an address the client wrote itself is ignored', async () => {
    const app = await start('1');
    // The balancer appends the address it saw; whatever the client put before it is not believed.
    for (const spoofed of ['192.0.2.1', '192.0.2.2']) {
      expect((await requestCode(app, `${spoofed}, ${CLIENT}`)).status).toBe(202);
    }
    expectRefused(await requestCode(app, `192.0.2.3, ${CLIENT}`), 'rate_limited', 120);
    expect(loggedAddresses()).toEqual([CLIENT, CLIENT, CLIENT]);
  });

  it('ignores X-Forwarded-For with TRUST_PROXY=false: one budget for the connection', async () => {
    const app = await start('false');
    for (let i = 0; i < 2; i++) expect((await requestCode(app, CLIENT)).status).toBe(202);
    expectRefused(await requestCode(app, OTHER_CLIENT), 'rate_limited', 120);
    expect(new Set(loggedAddresses())).toEqual(new Set([expect.stringMatching(/127\.0\.0\.1$/)]));
  });
});
