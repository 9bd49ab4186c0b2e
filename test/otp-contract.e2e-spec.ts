import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { codeLeak } from './support/code-leak.js';
import { keysUnder } from './support/redis.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let sequence = 0;
/** A fresh, valid UK mobile number per test, so no test sees another's code or limits. */
const newNumber = (): string => `+4474009${String(++sequence).padStart(5, '0')}`;

describe('the HTTP contract on the Redis store', () => {
  let t: TestApp;
  const post = (path: string, body: unknown) =>
    request(t.server)
      .post(`/api/otp/${path}`)
      .send(body as object);
  const requestCode = async (phoneNumber: string): Promise<string> => {
    await post('request', { phoneNumber }).expect(202);
    return t.outbox.lastCodeFor(phoneNumber);
  };

  beforeAll(async () => {
    t = await startTestApp({
      env: { OTP_RESEND_COOLDOWN_SECONDS: '0', OTP_MAX_SENDS_PER_WINDOW: '1000' },
    });
  });
  afterAll(async () => t.close());

  describe('POST /api/otp/request', () => {
    it('normalises the number, sends a code of OTP_LENGTH digits and answers 202', async () => {
      const response = await post('request', {
        phoneNumber: '+1 (415) 555-2671',
        channel: 'sms',
      }).expect(202);
      expect(response.body).toEqual({
        verificationId: expect.stringMatching(/^ver_[0-9A-HJKMNP-TV-Z]{26}$/),
        status: 'pending',
        phoneNumber: '+14155552671',
        channel: 'sms',
        locale: 'en',
        expiresInSeconds: 300,
        resendAfterSeconds: 0,
        maxAttempts: 5,
      });
      const [message] = t.outbox.messages.filter((m) => m.to === '+14155552671');
      expect(message.text).toMatch(
        /^Your OTP verification code is \d{6}\. It expires in 5 minutes\.$/,
      );
    });

    it('stores only an HMAC of the code, with a TTL, under the prefix and the number as hash tag', async () => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const key = `${t.prefix}{${phoneNumber}}`;
      // The number's state, and its verification's record beside it under the same hash tag.
      expect(await keysUnder(t.redis, `${t.prefix}{${phoneNumber}}`)).toEqual([
        key,
        expect.stringMatching(/}v:[0-9a-f]{16}$/),
      ]);
      const stored = await t.redis.hgetall(key);
      expect(stored).toMatchObject({ h: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), a: '5' });
      expect(JSON.stringify(stored)).not.toMatch(codeLeak(code));
      // The code's own deadline is OTP_TTL_SECONDS; the key lives on for the send window.
      const [seconds, micros] = await t.redis.time();
      const now = Number(seconds) * 1000 + Number(micros) / 1000;
      expect(Number(stored.x) - now).toBeGreaterThan(290_000);
      expect(Number(stored.x) - now).toBeLessThanOrEqual(300_000);
      expect(await t.redis.ttl(key)).toBeGreaterThan(290);
    });

    it.each([
      [{}, 'phoneNumber must be a string'],
      [{ phoneNumber: 14155552671 }, 'phoneNumber must be a string'],
      [
        { phoneNumber: '+14155552671', channel: 'fax' },
        'channel must be one of the following values: sms, voice',
      ],
      [{ phoneNumber: '+14155552671', locale: 'x'.repeat(36) }, 'locale'],
      [{ phoneNumber: '+14155552671', extra: true }, 'property extra should not exist'],
    ])('refuses %p with 400 validation_failed naming the field', async (body, message) => {
      const response = await post('request', body).expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        code: 'validation_failed',
        message: expect.any(String),
      });
      expect(response.body.message).toContain(message);
    });

    it.each(['12345', '+1 415 555', '+44 20 7946 09', 'call me', '07400 123456'])(
      'refuses %p with 400 invalid_phone_number and sends nothing',
      async (phoneNumber) => {
        const before = t.outbox.messages.length;
        const response = await post('request', { phoneNumber }).expect(400);
        expect(response.body).toEqual({
          statusCode: 400,
          code: 'invalid_phone_number',
          message: 'phoneNumber is not a valid phone number',
        });
        expect(t.outbox.messages).toHaveLength(before);
      },
    );
  });

  describe('POST /api/otp/verify', () => {
    it('approves the right code once; afterwards the number has no code', async () => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const approved = await post('verify', { phoneNumber, code }).expect(200);
      expect(approved.body).toEqual({
        verificationId: expect.stringMatching(/^ver_/),
        status: 'approved',
        phoneNumber,
        verificationToken: expect.any(String),
        tokenExpiresInSeconds: 600,
      });
      const reused = await post('verify', { phoneNumber, code }).expect(404);
      expect(reused.body).toEqual({
        statusCode: 404,
        code: 'otp_not_found',
        message: 'No code is pending for this phone number',
      });
      // The number's key keeps its send count, but no code.
      expect(await t.redis.hexists(`${t.prefix}{${phoneNumber}}`, 'h')).toBe(0);
    });

    it('accepts the number in any written form', async () => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const written = `${phoneNumber.slice(0, 3)} ${phoneNumber.slice(3, 7)} ${phoneNumber.slice(7)}`;
      const approved = await post('verify', { phoneNumber: written, code }).expect(200);
      expect(approved.body).toEqual({
        verificationId: expect.stringMatching(/^ver_/),
        status: 'approved',
        phoneNumber,
        verificationToken: expect.any(String),
        tokenExpiresInSeconds: 600,
      });
    });

    it('accepts a number written with its national prefix, which E.164 leaves out', async () => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const written = `${phoneNumber.slice(0, 3)} (0) ${phoneNumber.slice(3)}`;
      const approved = await post('verify', { phoneNumber: written, code }).expect(200);
      expect(approved.body.phoneNumber).toBe(phoneNumber);
    });

    it.each(['+44 20 7946 09', '+1 415 555 01'])(
      'refuses %p with 400 invalid_phone_number, though written like E.164',
      async (phoneNumber) => {
        const response = await post('verify', { phoneNumber, code: '123456' }).expect(400);
        expect(response.body.code).toBe('invalid_phone_number');
      },
    );

    it('answers 404 otp_not_found for a number that never asked', async () => {
      const response = await post('verify', { phoneNumber: newNumber(), code: '123456' }).expect(
        404,
      );
      expect(response.body.code).toBe('otp_not_found');
    });

    it('counts wrong codes with attemptsRemaining, then refuses even the right code with 429', async () => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const wrong = code === '000000' ? '111111' : '000000';
      for (const attemptsRemaining of [4, 3, 2, 1, 0]) {
        const response = await post('verify', { phoneNumber, code: wrong }).expect(400);
        expect(response.body).toEqual({
          statusCode: 400,
          code: 'otp_incorrect',
          message: 'The code is incorrect',
          attemptsRemaining,
        });
      }
      const refused = await post('verify', { phoneNumber, code }).expect(429);
      expect(refused.body).toEqual({
        statusCode: 429,
        code: 'otp_attempts_exceeded',
        message: expect.any(String),
      });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(250);
      expect(retryAfter).toBeLessThanOrEqual(300);
    });

    it('lets a new request replace the old code and reset its attempts', async () => {
      const phoneNumber = newNumber();
      const oldCode = await requestCode(phoneNumber);
      const wrong = oldCode === '000000' ? '111111' : '000000';
      await post('verify', { phoneNumber, code: wrong }).expect(400);
      let newCode = await requestCode(phoneNumber);
      while (newCode === oldCode) newCode = await requestCode(phoneNumber);
      const stale = await post('verify', { phoneNumber, code: oldCode }).expect(400);
      expect(stale.body).toMatchObject({ code: 'otp_incorrect', attemptsRemaining: 4 });
      await post('verify', { phoneNumber, code: newCode }).expect(200);
    });

    it('never counts more than OTP_MAX_ATTEMPTS among 50 concurrent wrong codes', async () => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const wrong = code === '000000' ? '111111' : '000000';
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => post('verify', { phoneNumber, code: wrong })),
      );
      const codes = answers.map((answer) => answer.body.code);
      expect(codes.filter((c) => c === 'otp_incorrect')).toHaveLength(5);
      expect(codes.filter((c) => c === 'otp_attempts_exceeded')).toHaveLength(45);
      await post('verify', { phoneNumber, code }).expect(429);
    });

    it.each([
      [{ phoneNumber: '+14155552671' }, 'code must be a string'],
      [{ phoneNumber: '+14155552671', code: 123456 }, 'code must be a string'],
      [{ phoneNumber: '+14155552671', code: '12345' }, 'code must be exactly 6 digits'],
      [{ phoneNumber: '+14155552671', code: '1234567' }, 'code must be exactly 6 digits'],
      [{ phoneNumber: '+14155552671', code: '12345a' }, 'code must be exactly 6 digits'],
      [{ phoneNumber: '+14155552671', code: '１２３４５６' }, 'code must be exactly 6 digits'],
    ])('refuses %p with 400 validation_failed, counting no attempt', async (body, message) => {
      const phoneNumber = newNumber();
      const code = await requestCode(phoneNumber);
      const response = await post('verify', { ...body, phoneNumber }).expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        code: 'validation_failed',
        message: expect.stringContaining(message),
      });
      expect(await t.redis.hget(`${t.prefix}{${phoneNumber}}`, 'a')).toBe('5');
      await post('verify', { phoneNumber, code }).expect(200);
    });
  });

  describe('bodies the parser refuses', () => {
    it.each([
      ['malformed JSON', '{"phoneNumber": "+14155552671",'],
      ['an empty body', ''],
      ['a JSON string', '"+14155552671"'],
    ])('answers %s with 400 validation_failed', async (_, raw) => {
      const response = await request(t.server)
        .post('/api/otp/request')
        .set('Content-Type', 'application/json')
        .send(raw)
        .expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        code: 'validation_failed',
        message: expect.any(String),
      });
    });

    it('answers a body over 16 KiB with 413 payload_too_large', async () => {
      const response = await post('request', {
        phoneNumber: '+14155552671',
        padding: 'x'.repeat(17 * 1024),
      }).expect(413);
      expect(response.body).toEqual({
        statusCode: 413,
        code: 'payload_too_large',
        message: 'The request body is over 16 KiB',
      });
    });
  });
});

describe('numbers without a country code', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { OTP_DEFAULT_COUNTRY: 'GB', OTP_LENGTH: '8' } });
  });
  afterAll(async () => t.close());

  it('reads them in OTP_DEFAULT_COUNTRY and honours OTP_LENGTH', async () => {
    const response = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber: '07400 987654' })
      .expect(202);
    expect(response.body.phoneNumber).toBe('+447400987654');
    const code = t.outbox.lastCodeFor('+447400987654');
    expect(code).toMatch(/^\d{8}$/);
    const approved = await request(t.server)
      .post('/api/otp/verify')
      .send({ phoneNumber: '07400987654', code })
      .expect(200);
    expect(approved.body).toEqual({
      verificationId: expect.stringMatching(/^ver_/),
      status: 'approved',
      phoneNumber: '+447400987654',
      verificationToken: expect.any(String),
      tokenExpiresInSeconds: 600,
    });
  });
});

describe('the standalone service on its embedded defaults (in-memory store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { REDIS_URL: '' } });
  });
  afterAll(async () => t.close());

  it('sends, approves once and enforces the default cooldown without Redis', async () => {
    const phoneNumber = '+447400987655';
    await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);
    const again = await request(t.server)
      .post('/api/otp/request')
      .send({ phoneNumber })
      .expect(429);
    expect(again.body.code).toBe('resend_cooldown');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(25);
    const code = t.outbox.lastCodeFor(phoneNumber);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber, code }).expect(200);
    await request(t.server).post('/api/otp/verify').send({ phoneNumber, code }).expect(404);
    expect(await keysUnder(t.redis, t.prefix)).toEqual([]);
  });
});
