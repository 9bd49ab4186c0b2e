import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { keysUnder } from './support/redis.js';
import { expectRefused } from './support/refusals.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let sequence = 0;
const nextNumber = (): string => `+4474003${String(++sequence).padStart(5, '0')}`;

describe('per-number limits over HTTP (Redis)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const requestCode = (phoneNumber: string) =>
    request(t!.server).post('/api/otp/request').send({ phoneNumber });
  const verify = (phoneNumber: string, code: string) =>
    request(t!.server).post('/api/otp/verify').send({ phoneNumber, code });
  const wrongCodeFor = (phoneNumber: string): string =>
    t!.outbox.lastCodeFor(phoneNumber) === '000000' ? '111111' : '000000';

  it('refuses a second request within the cooldown, keeping the first code', async () => {
    t = await startTestApp({ env: { OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const phoneNumber = nextNumber();
    expect((await requestCode(phoneNumber)).status).toBe(202);
    const code = t.outbox.lastCodeFor(phoneNumber);
    expectRefused(await requestCode(phoneNumber), 'resend_cooldown', 30);
    expect(t.outbox.sentTo(phoneNumber)).toBe(1);
    await verify(phoneNumber, code).expect(200);
  });

  it('refuses sends over OTP_MAX_SENDS_PER_WINDOW until the window passes', async () => {
    t = await startTestApp({
      env: {
        OTP_RESEND_COOLDOWN_SECONDS: '0',
        OTP_MAX_SENDS_PER_WINDOW: '2',
        OTP_SEND_WINDOW_SECONDS: '600',
      },
    });
    const phoneNumber = nextNumber();
    for (let i = 0; i < 2; i++) expect((await requestCode(phoneNumber)).status).toBe(202);
    const code = t.outbox.lastCodeFor(phoneNumber);
    expectRefused(await requestCode(phoneNumber), 'send_limit_exceeded', 600);
    expect(t.outbox.sentTo(phoneNumber)).toBe(2);
    // The refused request replaced nothing: the last code sent still works.
    await verify(phoneNumber, code).expect(200);
    expect((await requestCode(nextNumber())).status).toBe(202);
  });

  it('never answers a Retry-After longer than the window of the limit that refused', async () => {
    // A budget of one send a day for the US: its estimate of the rolling 24 h would say two days.
    t = await startTestApp({
      env: { OTP_MAX_SENDS_PER_WINDOW: '1', OTP_COUNTRY_SEND_LIMITS: 'US=1' },
    });
    const phoneNumber = nextNumber();
    expect((await requestCode(phoneNumber)).status).toBe(202);
    // The default send window: 3600 s, whose end the store keeps in whole seconds.
    const capped = await requestCode(phoneNumber);
    expectRefused(capped, 'send_limit_exceeded', 3600);
    expect(Number(capped.headers['retry-after'])).toBeGreaterThanOrEqual(3599);
    expect((await requestCode('+14155552671')).status).toBe(202);
    expectRefused(await requestCode('+14155552672'), 'country_send_limit_exceeded', 86_400);
  });

  it('locks a number after more than OTP_LOCKOUT_THRESHOLD failures, for verify and request', async () => {
    t = await startTestApp({
      env: {
        OTP_RESEND_COOLDOWN_SECONDS: '0',
        OTP_LOCKOUT_THRESHOLD: '3',
        OTP_LOCKOUT_WINDOW_SECONDS: '900',
      },
    });
    const phoneNumber = nextNumber();
    await requestCode(phoneNumber).expect(202);
    const code = t.outbox.lastCodeFor(phoneNumber);
    // With a threshold of 3 the third failure is still allowed; the fourth locks.
    for (const attemptsRemaining of [4, 3, 2, 1]) {
      const res = await verify(phoneNumber, wrongCodeFor(phoneNumber)).expect(400);
      expect(res.body).toMatchObject({ code: 'otp_incorrect', attemptsRemaining });
    }
    expectRefused(await verify(phoneNumber, code), 'phone_locked', 900);
    expectRefused(await requestCode(phoneNumber), 'phone_locked', 900);
    expect(t.outbox.sentTo(phoneNumber)).toBe(1);
    // Another number is not affected.
    expect((await requestCode(nextNumber())).status).toBe(202);
  });

  it('refuses numbers outside OTP_ALLOWED_COUNTRIES or inside OTP_BLOCKED_COUNTRIES', async () => {
    t = await startTestApp({
      env: { OTP_ALLOWED_COUNTRIES: 'GB,US', OTP_BLOCKED_COUNTRIES: 'US' },
    });
    for (const phoneNumber of ['+33612345678', '+14155552671']) {
      const res = await requestCode(phoneNumber).expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        code: 'phone_number_not_allowed',
        message: expect.any(String),
      });
    }
    expect(t.outbox.messages).toEqual([]);
    // Only the client's throttle counter was written: no code, cooldown or send for the numbers.
    const throttleKeys = `${t.prefix}throttle:`;
    const keys = await keysUnder(t.redis, t.prefix);
    expect(keys.filter((key) => !key.startsWith(throttleKeys))).toEqual([]);
    expect((await requestCode(nextNumber())).status).toBe(202);
  });

  it('sends exactly one SMS to 30 concurrent requests for one number', async () => {
    t = await startTestApp({ env: { OTP_RESEND_COOLDOWN_SECONDS: '30' } });
    const phoneNumber = nextNumber();
    const responses = await Promise.all(Array.from({ length: 30 }, () => requestCode(phoneNumber)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 202);
    expect(refused).toHaveLength(29);
    refused.forEach((r) => expectRefused(r, 'resend_cooldown', 30));
    expect(t.outbox.sentTo(phoneNumber)).toBe(1);
  });

  it('sends exactly one SMS to 30 concurrent requests at the send cap, naming the cap', async () => {
    t = await startTestApp({
      env: { OTP_RESEND_COOLDOWN_SECONDS: '30', OTP_MAX_SENDS_PER_WINDOW: '1' },
    });
    const phoneNumber = nextNumber();
    const responses = await Promise.all(Array.from({ length: 30 }, () => requestCode(phoneNumber)));
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    responses
      .filter((r) => r.status !== 202)
      .forEach((r) => {
        // The cap, not the shorter cooldown, says when a send can pass again.
        expectRefused(r, 'send_limit_exceeded', 3601);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(30);
      });
    expect(t.outbox.sentTo(phoneNumber)).toBe(1);
  });

  it('counts at most OTP_MAX_ATTEMPTS of 60 concurrent wrong codes', async () => {
    t = await startTestApp({ env: { OTP_MAX_ATTEMPTS: '5', OTP_TTL_SECONDS: '300' } });
    const phoneNumber = nextNumber();
    await requestCode(phoneNumber).expect(202);
    const code = t.outbox.lastCodeFor(phoneNumber);
    const wrong = wrongCodeFor(phoneNumber);
    const responses = await Promise.all(
      Array.from({ length: 60 }, () => verify(phoneNumber, wrong)),
    );
    const incorrect = responses.filter((r) => r.body.code === 'otp_incorrect');
    expect(incorrect.map((r) => r.body.attemptsRemaining).sort()).toEqual([0, 1, 2, 3, 4]);
    const exceeded = responses.filter((r) => r.body.code === 'otp_attempts_exceeded');
    expect(exceeded).toHaveLength(55);
    exceeded.forEach((r) => expectRefused(r, 'otp_attempts_exceeded', 300));
    expect(await t.redis.hget(`${t.prefix}{${phoneNumber}}`, 'f')).toBe('5');
    expectRefused(await verify(phoneNumber, code), 'otp_attempts_exceeded', 300);
  });
});

describe('per-number limits over HTTP (in-memory store)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('answers the same codes as the Redis store', async () => {
    t = await startTestApp({
      env: {
        REDIS_URL: '',
        OTP_RESEND_COOLDOWN_SECONDS: '30',
        OTP_LOCKOUT_THRESHOLD: '2',
        OTP_BLOCKED_COUNTRIES: 'FR',
      },
    });
    const app = t;
    const phoneNumber = nextNumber();
    const responses = await Promise.all(
      Array.from({ length: 30 }, () =>
        request(app.server).post('/api/otp/request').send({ phoneNumber }),
      ),
    );
    expect(responses.filter((r) => r.status === 202)).toHaveLength(1);
    responses
      .filter((r) => r.status !== 202)
      .forEach((r) => expectRefused(r, 'resend_cooldown', 30));
    const code = t.outbox.lastCodeFor(phoneNumber);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 3; i++) {
      await request(t.server)
        .post('/api/otp/verify')
        .send({ phoneNumber, code: wrong })
        .expect(400);
    }
    expectRefused(
      await request(t.server).post('/api/otp/verify').send({ phoneNumber, code }),
      'phone_locked',
      1800,
    );
    await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '+33612345678' })
      .expect(403);
    expect(t.outbox.messages).toHaveLength(1);
  });
});
