import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request, { type Response } from 'supertest';
import { Redis } from 'ioredis';
import { keysUnder } from './support/redis.js';
import { RedisServerProcess } from './support/redis-server.js';
import { expectRefused } from './support/refusals.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let sequence = 0;
const nextNumber = (): string => `+4474002${String(++sequence).padStart(5, '0')}`;

const WINDOW_SECONDS = 120;

/** The throttler's 429: a blocked client waits out one window from its first refused request. */
function expectRateLimited(res: Response): void {
  expectRefused(res, 'rate_limited', WINDOW_SECONDS);
  expect(res.body.message).toBe('Too many requests from this client; slow down');
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(WINDOW_SECONDS - 10);
  // The contract's Retry-After only: the limits themselves are not advertised.
  expect(Object.keys(res.headers).filter((name) => /ratelimit|retry-after-/i.test(name))).toEqual(
    [],
  );
}

const limits = (requestLimit: number, verifyLimit = 100): Record<string, string> => ({
  RATE_LIMIT_TTL_SECONDS: String(WINDOW_SECONDS),
  RATE_LIMIT_REQUEST_LIMIT: String(requestLimit),
  RATE_LIMIT_VERIFY_LIMIT: String(verifyLimit),
  OTP_RESEND_COOLDOWN_SECONDS: '0',
});

describe('per-client throttling (Redis)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  const requestCode = (app: TestApp, phoneNumber: string, forwardedFor?: string) => {
    const req = request(app.server).post('/api/otp/request');
    if (forwardedFor) req.set('X-Forwarded-For', forwardedFor);
    return req.send({ phoneNumber });
  };

  it('refuses the request over RATE_LIMIT_REQUEST_LIMIT, before any code or SMS', async () => {
    t = await startTestApp({ env: limits(3) });
    for (let i = 0; i < 3; i++) expect((await requestCode(t, nextNumber())).status).toBe(202);
    const refusedNumber = nextNumber();
    expectRateLimited(await requestCode(t, refusedNumber));

    expect(t.outbox.messages).toHaveLength(3);
    expect(t.outbox.sentTo(refusedNumber)).toBe(0);
    const keys = await keysUnder(t.redis, t.prefix);
    expect(keys.filter((key) => key.includes(refusedNumber))).toEqual([]);
    // The limiter's own keys live under the prefix, with one hash tag per client and limit.
    expect(keys.filter((key) => key.includes(':throttle:'))).toEqual([
      expect.stringMatching(new RegExp(`^${t.prefix}throttle:\\{[0-9a-f]{64}:request\\}:block$`)),
    ]);
  });

  it('keeps separate budgets for request and verify', async () => {
    t = await startTestApp({ env: limits(1, 2) });
    const phoneNumber = nextNumber();
    expect((await requestCode(t, phoneNumber)).status).toBe(202);
    expectRateLimited(await requestCode(t, nextNumber()));

    const verify = () =>
      request(t!.server).post('/api/otp/verify').send({ phoneNumber, code: '000000' });
    for (let i = 0; i < 2; i++) {
      const res = await verify();
      expect(res.status).not.toBe(429);
    }
    expectRateLimited(await verify());
    // The approval itself is refused: a throttled client cannot guess on.
    const code = t.outbox.lastCodeFor(phoneNumber);
    expectRateLimited(await request(t.server).post('/api/otp/verify').send({ phoneNumber, code }));
  });

  it('lets exactly the limit through among 20 concurrent requests', async () => {
    t = await startTestApp({ env: limits(3) });
    const app = t;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => requestCode(app, nextNumber())),
    );
    expect(responses.filter((r) => r.status === 202)).toHaveLength(3);
    const refused = responses.filter((r) => r.status !== 202);
    expect(refused).toHaveLength(17);
    refused.forEach(expectRateLimited);
    expect(t.outbox.messages).toHaveLength(3);
  });

  it('gives each X-Forwarded-For client its own budget when TRUST_PROXY=true', async () => {
    t = await startTestApp({ env: { ...limits(2), TRUST_PROXY: 'true' } });
    for (let i = 0; i < 2; i++) {
      expect((await requestCode(t, nextNumber(), '203.0.113.10')).status).toBe(202);
    }
    expectRateLimited(await requestCode(t, nextNumber(), '203.0.113.10'));
    expect((await requestCode(t, nextNumber(), '198.51.100.20')).status).toBe(202);
  });

  it('ignores X-Forwarded-For when TRUST_PROXY=false: one budget for the connection', async () => {
    t = await startTestApp({ env: { ...limits(2), TRUST_PROXY: 'false' } });
    for (let i = 0; i < 2; i++) {
      expect((await requestCode(t, nextNumber(), '203.0.113.10')).status).toBe(202);
    }
    expectRateLimited(await requestCode(t, nextNumber(), '198.51.100.20'));
    expect(t.outbox.messages).toHaveLength(2);
  });
});

describe('per-client throttling: the hit rides on the first script (one Redis)', () => {
  let t: TestApp | undefined;
  let redis: RedisServerProcess | undefined;
  afterEach(async () => {
    await t?.close();
    await redis?.stop();
    t = redis = undefined;
  });

  it('makes a wrong code one round trip: the hit and the check in one script', async () => {
    // A Redis of the test's own: its command counts are this app's alone.
    redis = await RedisServerProcess.start();
    t = await startTestApp({ env: { ...limits(100, 3), REDIS_URL: redis.url } });
    const phoneNumber = nextNumber();
    await request(t.server).post('/api/otp/request').send({ phoneNumber }).expect(202);
    const verify = () =>
      request(t!.server).post('/api/otp/verify').send({ phoneNumber, code: '000000' });
    // The first sends the script's text once (EVAL): Redis caches it.
    expect((await verify()).status).toBe(400);
    const stats = new Redis(redis.url);
    try {
      await stats.config('RESETSTAT');
      expect((await verify()).status).toBe(400);
      // Calls made inside scripts count too: one INCR, the hit, made within the one EVALSHA.
      const commands = (await stats.info('commandstats'))
        .split('\r\n')
        .filter((line) => /^cmdstat_(eval|evalsha|incr|get|set|hmget):/.test(line))
        // INFO lists them in its table's order, which is not fixed.
        .sort();
      expect(commands.filter((line) => /^cmdstat_(eval|evalsha|incr|get|set):/.test(line))).toEqual(
        [
          expect.stringMatching(/^cmdstat_evalsha:calls=1,/),
          expect.stringMatching(/^cmdstat_incr:calls=1,/),
        ],
      );
      // And it was counted: the third verify is the last within the limit.
      expect((await verify()).status).toBe(400);
      expectRateLimited(await verify());
    } finally {
      stats.disconnect();
    }
  });

  it('still counts a body refused before any script, once the answer is out', async () => {
    t = await startTestApp({ env: limits(100, 2) });
    const verify = (code: string) =>
      request(t!.server).post('/api/otp/verify').send({ phoneNumber: nextNumber(), code });
    for (let i = 0; i < 2; i++) {
      expect((await verify('12')).body.code).toBe('validation_failed');
    }
    expectRateLimited(await verify('000000'));
  });
});

describe('per-client throttling (in-memory store)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { ...limits(2), REDIS_URL: '' } });
  });
  afterAll(async () => t.close());

  it('answers the same 429 without Redis', async () => {
    for (let i = 0; i < 2; i++) {
      expect(
        (await request(t.server).post('/api/otp/request').send({ phoneNumber: nextNumber() }))
          .status,
      ).toBe(202);
    }
    expectRateLimited(
      await request(t.server).post('/api/otp/request').send({ phoneNumber: nextNumber() }),
    );
    expect(t.outbox.messages).toHaveLength(2);
    expect(await keysUnder(t.redis, t.prefix)).toEqual([]);
  });
});
