import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import request from 'supertest';
import { OtpModule, OtpService, OtpTokenSigner } from 'nestjs-otp-verify';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { expectRefused } from './support/refusals.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { HOST_HASH_SECRET } from './support/host-app.js';

const REVIEWER = '+447400000001';
const REVIEWER_CODE = '123456';
/** Outside the allowed countries below: country rules do not apply to test numbers. */
const US_TEST = '+14155550006';
const US_CODE = '000000';
const PLIVO = { authId: 'MATESTNUMBERS', authToken: 'plivo-token-test-numbers', sender: '+1415' };

/** What every store must show: no SMS, no cooldown, no send cap, no lockout; attempts still count. */
function describeTestNumbers(
  name: string,
  start: (fake: FakeSmsServer) => Promise<{ server: unknown; close(): Promise<void> }>,
) {
  describe(`test numbers on ${name}`, () => {
    let fake: FakeSmsServer;
    let app: { server: unknown; close(): Promise<void> };
    const post = (path: string, body: object) =>
      request(app.server as Parameters<typeof request>[0])
        .post(`/api/otp/${path}`)
        .send(body);

    beforeAll(async () => {
      fake = await FakeSmsServer.start();
      app = await start(fake);
    });
    afterAll(async () => {
      await app?.close();
      await fake?.stop();
    });

    it('sends nothing, accepts the fixed code once and can be requested again at once', async () => {
      const first = await post('request', { phoneNumber: '+44 7400 000001' }).expect(202);
      expect(first.body).toEqual({
        status: 'pending',
        phoneNumber: REVIEWER,
        channel: 'sms',
        expiresInSeconds: 300,
        resendAfterSeconds: 0,
        maxAttempts: 3,
      });
      // Immediately again, and past the send cap of one per window.
      await post('request', { phoneNumber: REVIEWER }).expect(202);
      await post('request', { phoneNumber: REVIEWER }).expect(202);

      const approved = await post('verify', { phoneNumber: REVIEWER, code: REVIEWER_CODE });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'approved', phoneNumber: REVIEWER });
      expect(approved.body.verificationToken).toEqual(expect.any(String));
      await post('verify', { phoneNumber: REVIEWER, code: REVIEWER_CODE }).expect(404);
      expect(fake.received).toHaveLength(0);
    });

    it('recognises a test number in every spelling the service accepts', async () => {
      for (const spelling of ['+44 (0) 7400 000001', '+44 (0)7400-000001', '+44.7400.000.001']) {
        const pending = await post('request', { phoneNumber: spelling }).expect(202);
        expect(pending.body.phoneNumber).toBe(REVIEWER);
        await post('verify', { phoneNumber: spelling, code: REVIEWER_CODE }).expect(200);
      }
      // Never a real SMS with a random code to the reviewer's number.
      expect(fake.received).toHaveLength(0);
    });

    it('keeps the attempt cap and locks the number out like any other', async () => {
      await post('request', { phoneNumber: US_TEST }).expect(202);
      for (const left of [2, 1, 0]) {
        const wrong = await post('verify', { phoneNumber: US_TEST, code: '999999' }).expect(400);
        expect(wrong.body.attemptsRemaining).toBe(left);
      }
      const exceeded = await post('verify', { phoneNumber: US_TEST, code: US_CODE });
      expect(exceeded.status).toBe(429);
      expect(exceeded.body.code).toBe('otp_attempts_exceeded');
      // Three failures reach the lockout threshold of three; one more locks, request and verify.
      await post('request', { phoneNumber: US_TEST }).expect(202);
      await post('verify', { phoneNumber: US_TEST, code: '999999' }).expect(400);
      expectRefused(await post('request', { phoneNumber: US_TEST }), 'phone_locked', 1800);
      expectRefused(
        await post('verify', { phoneNumber: US_TEST, code: US_CODE }),
        'phone_locked',
        1800,
      );
      expect(fake.received).toHaveLength(0);
    });

    it('leaves ordinary numbers to the usual rules and the real provider', async () => {
      await post('request', { phoneNumber: '+447400000002' }).expect(202);
      expect(fake.received.map((sms) => sms.to)).toEqual(['+447400000002']);
      const again = await post('request', { phoneNumber: '+447400000002' });
      expect(again.status).toBe(429);
      expect(again.body.code).toBe('send_limit_exceeded');
      const american = await post('request', { phoneNumber: '+14155550007' });
      expect(american.status).toBe(403);
    });
  });
}

describeTestNumbers('the Redis store (the standalone service)', async (fake) => {
  const t: TestApp = await startTestApp({
    realSms: true,
    env: {
      OTP_TEST_NUMBERS: `${REVIEWER}=${REVIEWER_CODE},${US_TEST}=${US_CODE}`,
      OTP_ALLOWED_COUNTRIES: 'GB',
      OTP_MAX_ATTEMPTS: '3',
      OTP_MAX_SENDS_PER_WINDOW: '1',
      OTP_LOCKOUT_THRESHOLD: '3',
      SMS_PROVIDER: 'plivo',
      PLIVO_AUTH_ID: PLIVO.authId,
      PLIVO_AUTH_TOKEN: PLIVO.authToken,
      PLIVO_SENDER: PLIVO.sender,
      PLIVO_BASE_URL: fake.url,
    },
  });
  return { server: t.server, close: () => t.close() };
});

describeTestNumbers('the in-memory store (a host app)', async (fake) => {
  @Module({
    imports: [
      OtpModule.forRoot({
        hashSecret: HOST_HASH_SECRET,
        testNumbers: { [REVIEWER]: REVIEWER_CODE, [US_TEST]: US_CODE },
        allowedCountries: ['GB'],
        maxAttempts: 3,
        maxSendsPerWindow: 1,
        lockoutThreshold: 3,
        rateLimit: { requestLimit: 1000, verifyLimit: 1000 },
        sms: { provider: 'plivo', plivo: { ...PLIVO, baseUrl: fake.url } },
      }),
    ],
  })
  class HostModule {}
  const moduleRef = await Test.createTestingModule({ imports: [HostModule] }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: ['error'] });
  app.setGlobalPrefix('api'); // the host's own prefix places the module's relative routes
  await app.init();
  return { server: app.getHttpServer(), close: () => app.close() };
});

describe('a test number guessed from five addresses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      env: {
        OTP_TEST_NUMBERS: `${REVIEWER}=${REVIEWER_CODE}`,
        OTP_LOCKOUT_THRESHOLD: '3',
        TRUST_PROXY: 'true',
      },
    });
  });
  afterAll(async () => t?.close());

  it('is locked after more than the lockout threshold of 150 wrong guesses, requesting again as needed', async () => {
    const from = (i: number) => `203.0.113.${(i % 5) + 1}`;
    const answers = new Map<string, number>();
    for (let i = 0; i < 150; i++) {
      const guess = String(100000 + i).padStart(6, '0');
      const res = await request(t.server)
        .post('/api/otp/verify')
        .set('X-Forwarded-For', from(i))
        .send({ phoneNumber: REVIEWER, code: guess === REVIEWER_CODE ? '999999' : guess });
      answers.set(res.body.code, (answers.get(res.body.code) ?? 0) + 1);
      if (res.body.code === 'otp_not_found' || res.body.code === 'otp_attempts_exceeded') {
        await request(t.server)
          .post('/api/otp/request')
          .set('X-Forwarded-For', from(i))
          .send({ phoneNumber: REVIEWER });
      }
    }
    // The threshold itself passes; the next failure locks.
    expect(answers.get('otp_incorrect')).toBe(4);
    expect(answers.get('phone_locked')).toBeGreaterThan(140);
    expectRefused(
      await request(t.server)
        .post('/api/otp/verify')
        .send({ phoneNumber: REVIEWER, code: REVIEWER_CODE }),
      'phone_locked',
      1800,
    );
  });
});

describe('test numbers in the standalone service metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_TEST_NUMBERS: `${REVIEWER}=${REVIEWER_CODE}` } });
  });
  afterAll(async () => t?.close());

  it('counts their requests and approvals under test="true", and no SMS send or conversion', async () => {
    await request(t.server).post('/api/otp/request').send({ phoneNumber: REVIEWER }).expect(202);
    const approved = await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: REVIEWER, code: REVIEWER_CODE })
      .expect(200);
    // A backend can tell a reviewer's login from a real one.
    expect(decodeJwt(approved.body.verificationToken).test_number).toBe(true);
    const scrape = (await request(t.server).get('/metrics').expect(200)).text;
    expect(scrape).toMatch(/otp_requests_total\{result="pending",test="true"\} 1\b/);
    expect(scrape).toMatch(/otp_verifications_total\{result="approved",test="true"\} 1\b/);
    expect(scrape).toMatch(/otp_requests_total\{result="pending"\} 0\b/);
    expect(scrape).not.toMatch(/otp_sms_sends_total\{/);
    expect(scrape).not.toMatch(/otp_codes_(sent|approved)_total\{/);
    expect(t.outbox.messages).toHaveLength(0);
  });
});

describe('OtpService in a host app', () => {
  it('returns a verification token that the exported signer’s JWKS verifies', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        OtpModule.forRoot({
          hashSecret: HOST_HASH_SECRET,
          testNumbers: { [REVIEWER]: REVIEWER_CODE },
          token: { issuer: 'host-app', audience: 'host-backend', ttlSeconds: 120 },
        }),
      ],
    }).compile();
    const otp = moduleRef.get(OtpService);
    await otp.requestCode(REVIEWER);
    const approved = await otp.verifyCode(REVIEWER, REVIEWER_CODE);
    expect(approved.tokenExpiresInSeconds).toBe(120);
    const jwks = createLocalJWKSet(moduleRef.get(OtpTokenSigner).jwks());
    const { payload } = await jwtVerify(approved.verificationToken, jwks, {
      issuer: 'host-app',
      audience: 'host-backend',
      subject: REVIEWER,
    });
    expect(payload.phone_number).toBe(REVIEWER);
    expect(payload.test_number).toBe(true);
    await moduleRef.close();
  });

  it('warns at start-up of how many test numbers there are, masked, never their codes', async () => {
    const lines: string[] = [];
    const keep = (level: string) => (line: unknown) => lines.push(`${level} ${String(line)}`);
    const moduleRef = await Test.createTestingModule({
      imports: [
        OtpModule.forRoot({
          hashSecret: HOST_HASH_SECRET,
          testNumbers: { [REVIEWER]: REVIEWER_CODE, [US_TEST]: US_CODE },
        }),
      ],
    })
      .setLogger({ log: keep('LOG'), warn: keep('WARN'), error: keep('ERROR') })
      .compile();
    await moduleRef.close();
    const warning = lines.find((line) => line.includes('test number'));
    expect(warning).toMatch(/^WARN 2 test number\(s\) configured \(\+44\*+0001, \+14\*+0006\)/);
    expect(lines.join('\n')).not.toMatch(new RegExp(`${REVIEWER_CODE}|${US_CODE}|7400000001`));
  });
});
