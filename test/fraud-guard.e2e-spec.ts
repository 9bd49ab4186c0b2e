import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { FakeSmsServer } from './support/fake-sms-server.js';
import { RedisServerProcess } from './support/redis-server.js';
import { expectRefused } from './support/refusals.js';
import { startTestApp, type TestApp } from './support/test-app.js';

const ADMIN_KEY = 'admin-key-of-at-least-thirty-two-characters';
const GUARD = {
  OTP_PREFIX_MIN_SENDS: '5',
  OTP_PREFIX_MIN_CONVERSION: '0.5',
  OTP_RESEND_COOLDOWN_SECONDS: '0',
  OTP_ADMIN_API_KEY: ADMIN_KEY,
};
const DAY = 24 * 3600;

/** `count` numbers of `digits` digits (12 in GB, 11 in FR) that share the prefix `prefix`. */
const numbersIn = (prefix: string, count: number, digits = 12): string[] =>
  Array.from(
    { length: count },
    (_, i) => `+${prefix}${String(i).padStart(digits - prefix.length, '0')}`,
  );

/** The fraud guard over HTTP: real Redis, the real Plivo SDK against a fake Plivo that counts sends. */
describe('fraud guard', () => {
  let fake: FakeSmsServer;
  let t: TestApp | undefined;
  // nestjs-pino keeps the first app's destination for the whole file: every app shares this one.
  const lines: string[] = [];
  const logDestination = { write: (line: string) => void lines.push(line) };
  const guardLog = (): string[] => lines.filter((line) => line.includes('"context":"FraudGuard"'));

  beforeAll(async () => {
    fake = await FakeSmsServer.start();
  });
  afterAll(async () => fake.stop());
  afterEach(async () => {
    await t?.close();
    t = undefined;
    fake.reset();
    lines.length = 0;
  });

  async function start(env: Record<string, string>): Promise<TestApp> {
    t = await startTestApp({
      realSms: true,
      logDestination,
      env: {
        SMS_PROVIDER: 'plivo',
        PLIVO_AUTH_ID: 'MAFAKEACCOUNT',
        PLIVO_AUTH_TOKEN: 'plivo-token',
        PLIVO_SENDER: '+14155550100',
        PLIVO_BASE_URL: fake.url,
        ...env,
      },
    });
    return t;
  }
  const requestCode = (app: TestApp, phoneNumber: string) =>
    request(app.server).post('/api/otp/request').send({ phoneNumber });
  const sentTo = (phoneNumber: string) => fake.received.filter((sms) => sms.to === phoneNumber);
  function verify(app: TestApp, phoneNumber: string) {
    const code = /\b(\d{6})\b/.exec(sentTo(phoneNumber).at(-1)?.text ?? '')?.[1] ?? 'none';
    return request(app.server).post('/api/otp/verify').send({ phoneNumber, code });
  }
  const admin = (app: TestApp, method: 'get' | 'delete', path = '', key = ADMIN_KEY) => {
    const url = `/admin/fraud/prefixes${path}`;
    const call = method === 'get' ? request(app.server).get(url) : request(app.server).delete(url);
    return call.set('Authorization', `Bearer ${key}`);
  };
  async function decisions(app: TestApp): Promise<Record<string, number>> {
    const scrape = (await request(app.server).get('/metrics').expect(200)).text;
    const counts: Record<string, number> = {};
    for (const [, labels, value] of scrape.matchAll(
      /^otp_fraud_guard_decisions_total\{([^}]*)\} (\d+)$/gm,
    )) {
      const decision = /decision="([^"]+)"/.exec(labels)?.[1];
      const country = /country="([^"]+)"/.exec(labels)?.[1];
      counts[`${decision}:${country}`] = Number(value);
    }
    return counts;
  }

  describe('number types', () => {
    it.each([
      ['+1 900 555 1234', 'US premium rate'],
      ['+44 909 012 3456', 'GB premium rate'],
      ['+44 20 7946 0958', 'GB fixed line'],
      ['+881 6 1234 5678', 'Iridium satellite'],
      ['+870 773 111 632', 'Inmarsat'],
      ['+882 16 0012 345', 'international network'],
      ['+883 120 012 345', 'international network'],
      ['+979 1234 56789', 'international premium rate'],
      ['+800 1234 5678', 'international freephone'],
    ])(
      'refuses %s (%s) with 403 and sends nothing, even inside OTP_ALLOWED_COUNTRIES',
      async (phoneNumber) => {
        const app = await start({ OTP_ALLOWED_COUNTRIES: 'GB,US' });
        const res = await requestCode(app, phoneNumber).expect(403);
        expect(res.body).toEqual({
          statusCode: 403,
          code: 'phone_number_not_allowed',
          message: expect.any(String),
        });
        expect(fake.received).toHaveLength(0);
      },
    );

    it('sends to mobile numbers and to US numbers that may be mobile', async () => {
      const app = await start({ OTP_ALLOWED_COUNTRIES: 'GB,US' });
      await requestCode(app, '+447400123456').expect(202);
      await requestCode(app, '+14155552671').expect(202);
      expect(fake.received.map((sms) => sms.to)).toEqual(['+447400123456', '+14155552671']);
    });

    it('sends to any type, countryless networks included, when OTP_ALLOWED_NUMBER_TYPES is *', async () => {
      const app = await start({ OTP_ALLOWED_NUMBER_TYPES: '*' });
      await requestCode(app, '+881612345678').expect(202);
      await requestCode(app, '+442079460958').expect(202);
      expect(fake.received).toHaveLength(2);
    });

    it('sends to a listed type only', async () => {
      const app = await start({ OTP_ALLOWED_NUMBER_TYPES: 'FIXED_LINE' });
      await requestCode(app, '+442079460958').expect(202);
      await requestCode(app, '+447400123456').expect(403);
      expect(fake.received.map((sms) => sms.to)).toEqual(['+442079460958']);
    });
  });

  describe('prefix guard', () => {
    it('quarantines a prefix sent to and never verified, after the send that crosses the threshold', async () => {
      const app = await start({ ...GUARD, OTP_MAX_SENDS_PER_WINDOW: '1' });
      const [first, ...rest] = numbersIn('44740012', 7);
      for (const phoneNumber of [first, ...rest.slice(0, 4)]) {
        await requestCode(app, phoneNumber).expect(202);
      }
      expect(fake.received).toHaveLength(5);
      const blocked = await requestCode(app, rest[4]).expect(403);
      expect(blocked.body).toEqual({
        statusCode: 403,
        code: 'delivery_blocked',
        message: expect.any(String),
      });
      await requestCode(app, rest[5]).expect(403);
      expect(fake.received).toHaveLength(5);

      // A prefix whose codes are verified keeps working, however many are sent.
      for (const phoneNumber of numbersIn('44740034', 8)) {
        await requestCode(app, phoneNumber).expect(202);
        await verify(app, phoneNumber).expect(200);
      }
      expect(fake.received).toHaveLength(13);

      const listed = await admin(app, 'get').expect(200);
      expect(listed.body).toEqual([
        {
          prefix: '44740012',
          country: 'GB',
          sends: 5,
          approvals: 0,
          conversion: 0,
          quarantinedUntil: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
      ]);
      const until = Date.parse(listed.body[0].quarantinedUntil);
      expect(until).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + 12 * 3600 * 1000);

      await admin(app, 'delete', '/44740012').expect(204);
      await admin(app, 'delete', '/44740012').expect(404);
      await admin(app, 'get').expect(200, []);
      // The refused request was no send: the number's cap of one send still lets it through.
      await requestCode(app, rest[4]).expect(202);
      expect(sentTo(rest[4])).toHaveLength(1);

      expect(await decisions(app)).toMatchObject({
        'quarantined:GB': 1,
        'blocked:GB': 2,
        'released:GB': 1,
      });
      const quarantine = guardLog().filter((line) => line.includes('quarantined until'));
      expect(quarantine).toHaveLength(1);
      expect(JSON.parse(quarantine[0]).msg).toMatch(
        /^Prefix 44740012 \(GB\) quarantined until \S+Z: sends=5 approvals=0 conversion=0$/,
      );
      for (const line of guardLog()) expect(JSON.parse(line).msg).not.toMatch(/\d{11}/);
    });

    it('counts per-number refusals as no sends to the prefix', async () => {
      const app = await start({ ...GUARD, OTP_RESEND_COOLDOWN_SECONDS: '60' });
      const [again, ...others] = numbersIn('44740056', 4);
      for (let i = 0; i < 8; i++) await requestCode(app, again);
      expect(sentTo(again)).toHaveLength(1);
      for (const phoneNumber of others) await requestCode(app, phoneNumber).expect(202);
      expect(fake.received).toHaveLength(4);
      expect(await decisions(app)).not.toHaveProperty('quarantined:GB');
    });

    it('never quarantines a safe prefix', async () => {
      const app = await start({ ...GUARD, OTP_SAFE_PREFIXES: '4474007' });
      for (const phoneNumber of numbersIn('44740078', 8)) {
        await requestCode(app, phoneNumber).expect(202);
      }
      expect(fake.received).toHaveLength(8);
    });

    it('in shadow mode refuses nothing for a prefix, counts what it would have refused, and keeps budgets', async () => {
      const app = await start({
        ...GUARD,
        OTP_FRAUD_GUARD: 'shadow',
        OTP_COUNTRY_SEND_LIMITS: 'FR=1',
      });
      for (const phoneNumber of numbersIn('44740090', 8)) {
        await requestCode(app, phoneNumber).expect(202);
      }
      const [first, second] = numbersIn('33612345', 2, 11);
      await requestCode(app, first).expect(202);
      expectRefused(await requestCode(app, second), 'country_send_limit_exceeded', DAY);
      expect(fake.received).toHaveLength(9);
      expect(await decisions(app)).toMatchObject({
        'quarantined:GB': 1,
        'would_block:GB': 3,
        'budget_exceeded:FR': 1,
      });
      expect(await decisions(app)).not.toHaveProperty('blocked:GB');
    });

    it('watches nothing when off, and still applies the budgets', async () => {
      const app = await start({
        ...GUARD,
        OTP_FRAUD_GUARD: 'off',
        OTP_COUNTRY_SEND_LIMITS: 'GB=8',
      });
      const numbers = numbersIn('44740091', 9);
      for (const phoneNumber of numbers.slice(0, 8)) {
        await requestCode(app, phoneNumber).expect(202);
      }
      expectRefused(await requestCode(app, numbers[8]), 'country_send_limit_exceeded', DAY);
      expect(fake.received).toHaveLength(8);
      expect(await decisions(app)).toEqual({ 'budget_exceeded:GB': 1 });
    });
  });

  describe('country budgets', () => {
    it('refuses the third French number with 429 and Retry-After, and sends nothing', async () => {
      const app = await start({ OTP_COUNTRY_SEND_LIMITS: 'FR=2' });
      const [a, b, c] = numbersIn('33612345', 3, 11);
      await requestCode(app, a).expect(202);
      await requestCode(app, b).expect(202);
      const refused = await requestCode(app, c);
      expectRefused(refused, 'country_send_limit_exceeded', DAY);
      expect(fake.received).toHaveLength(2);
      // Countries without a budget are not capped.
      await requestCode(app, '+447400123456').expect(202);
      expect(await decisions(app)).toMatchObject({ 'budget_exceeded:FR': 1 });
      const refusal = guardLog().map((line) => JSON.parse(line).msg as string);
      expect(refusal).toEqual([
        expect.stringMatching(/^Send refused: country FR has used its budget of 2 sends per 24 h/),
      ]);
      expect(refusal[0]).not.toContain(c.slice(1));
    });

    it('gives every country not named the * budget, each its own', async () => {
      const app = await start({ OTP_COUNTRY_SEND_LIMITS: 'GB=3,*=1' });
      await requestCode(app, '+33612345678').expect(202);
      expectRefused(await requestCode(app, '+33612345679'), 'country_send_limit_exceeded', DAY);
      await requestCode(app, '+4915123456789').expect(202);
      for (const phoneNumber of numbersIn('44740092', 3)) {
        await requestCode(app, phoneNumber).expect(202);
      }
      expect(fake.received).toHaveLength(5);
    });
  });

  describe('global budget', () => {
    it('warns once at 80 %, then refuses past it with Retry-After within the hour', async () => {
      const app = await start({ OTP_GLOBAL_SEND_LIMITS: 'hour=5' });
      const numbers = numbersIn('33612345', 7, 11);
      for (const phoneNumber of numbers.slice(0, 5)) {
        await requestCode(app, phoneNumber).expect(202);
      }
      for (const phoneNumber of numbers.slice(5)) {
        expectRefused(await requestCode(app, phoneNumber), 'global_send_limit_exceeded', 3600);
      }
      expect(fake.received).toHaveLength(5);
      const messages = guardLog().map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(messages.filter((m) => m.msg.includes('past 80 %'))).toEqual([
        {
          ...messages.find((m) => m.msg.includes('past 80 %')),
          level: 40,
          msg: 'The global budget of 5 sends per hour is past 80 %: 4 sends in the last hour',
        },
      ]);
      expect(await decisions(app)).toMatchObject({ 'budget_exceeded:FR': 2 });
    });
  });

  describe('admin routes', () => {
    it('answer 404 without OTP_ADMIN_API_KEY', async () => {
      const app = await start({});
      await admin(app, 'get').expect(404);
      await admin(app, 'delete', '/44740012').expect(404);
    });

    it('answer 401 unauthorized without the admin key', async () => {
      const app = await start(GUARD);
      for (const res of [
        await request(app.server).get('/admin/fraud/prefixes'),
        await admin(app, 'get', '', 'x'.repeat(40)),
        await admin(app, 'delete', '/44740012', ADMIN_KEY.slice(1)),
      ]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({
          statusCode: 401,
          code: 'unauthorized',
          message: expect.any(String),
        });
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });
  });

  describe('concurrent requests on one Redis', () => {
    it('let exactly the threshold through to one prefix and exactly the budget to one country', async () => {
      const app = await start({ ...GUARD, OTP_COUNTRY_SEND_LIMITS: 'FR=3' });
      const gb = await Promise.all(numbersIn('44740093', 20).map((n) => requestCode(app, n)));
      expect(gb.filter((r) => r.status === 202)).toHaveLength(5);
      expect(gb.filter((r) => r.body.code === 'delivery_blocked')).toHaveLength(15);
      // One prefix each: only the budget decides.
      const french = Array.from(
        { length: 20 },
        (_, i) => `+336${String(i).padStart(2, '0')}123456`,
      );
      const fr = await Promise.all(french.map((n) => requestCode(app, n)));
      expect(fr.filter((r) => r.status === 202)).toHaveLength(3);
      expect(fr.filter((r) => r.body.code === 'country_send_limit_exceeded')).toHaveLength(17);
      expect(fake.received).toHaveLength(8);
    });
  });

  describe('store outage', () => {
    it('answers 503 store_unavailable and sends nothing while Redis is down', async () => {
      const redis = await RedisServerProcess.start();
      try {
        const app = await start({
          ...GUARD,
          REDIS_URL: redis.url,
          OTP_COUNTRY_SEND_LIMITS: 'GB=10',
        });
        await requestCode(app, '+447400123456').expect(202);
        await redis.stop();
        const res = await requestCode(app, '+447400123457').expect(503);
        expect(res.body.code).toBe('store_unavailable');
        expect(fake.received).toHaveLength(1);
      } finally {
        await redis.stop();
      }
    });
  });
});
